/**
 * The real probe runner over a temp run dir, for the probe tests: targets built through the
 * config schema (so defaults and durations are the ones a user gets), and a liveness check by pid
 * that counts a zombie as gone (an orphan's zombie waits for whatever init this host has).
 */
import { ProbeSpec } from "@agentctl/core/HealthSpec"
import type { ProbeResult } from "@agentctl/core/ProbeResult"
import { ProbeRunner, type ProbeTarget } from "@agentctl/core/ProbeRunner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { existsSync, readFileSync } from "node:fs"
import { spawn } from "node:child_process"
import { type AddressInfo, connect, createServer } from "node:net"
import { join } from "node:path"
import { layer as agentLogsLayer } from "../src/NodeAgentLogs.ts"
import { layer as probeRunnerLayer } from "../src/NodeProbeRunner.ts"
import { PATH, tempDir, track, waitFor } from "./support.ts"

/** A probe as its YAML would say it: `{ exec: [true], timeout: "500ms" }`. */
export const probeSpec = (fields: Record<string, unknown>): ProbeSpec => Schema.decodeUnknownSync(ProbeSpec)(fields)

export const targetOf = (fields: Record<string, unknown>, over: Partial<ProbeTarget> = {}): ProbeTarget => ({
  id: "a1",
  kind: "liveness",
  probe: probeSpec(fields),
  cwd: over.cwd ?? tempDir(),
  env: { PATH },
  since: null,
  ...over
})

/** The runner with its own AgentLogs over `runDir` (a fresh temp dir unless given). */
export const runnerLayer = (runDir: string = join(tempDir(), "run")) =>
  probeRunnerLayer.pipe(Layer.provide(agentLogsLayer(runDir)))

export const runOnce = (target: ProbeTarget, runDir?: string): Effect.Effect<ProbeResult> =>
  ProbeRunner.use((runner) => runner.run(target)).pipe(Effect.provide(runnerLayer(runDir)))

/** Running, as opposed to gone or a zombie (dead, waiting to be reaped). */
export const isRunning = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
  } catch {
    // No /proc/<pid>: the process is gone.
    return false
  }
}

export const untilGone = (pid: number): Effect.Effect<true> =>
  Effect.promise(() => waitFor(`pid ${pid} to be gone`, () => (isRunning(pid) ? undefined : true)))

/** The pid a probe's shell wrote to `file` in its cwd (the probe writes it first thing), tracked for cleanup. */
export const pidWritten = (cwd: string, file: string): Effect.Effect<number> =>
  Effect.promise(() =>
    waitFor(`${file} to be written`, () => {
      const path = join(cwd, file)
      const text = existsSync(path) ? readFileSync(path, "utf8") : ""
      return text.endsWith("\n") ? track(Number(text.trim())) : undefined
    })
  )

/**
 * `sh` that records its own pid and a child's in its cwd (probe.pid, child.pid), then waits:
 * a probe that hangs with a tree beneath it.
 */
export const hangingTree = ["sh", "-c", "echo $$ > probe.pid; sleep 60 & echo $! > child.pid; wait"]

/** A port nothing listens on: one the kernel just handed out, closed again. */
export const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })

/**
 * A port whose listener never accepts and whose accept queue is full, so a connect to it hangs:
 * Linux drops a SYN when the queue is full (net.ipv4.tcp_abort_on_overflow = 0, the default). The
 * listener is a child node whose event loop is blocked right after listen(2), tracked for cleanup;
 * `close` ends the connections that fill the queue.
 */
export const unacceptingPort = (): Promise<{ readonly port: number; readonly close: () => void }> =>
  new Promise((resolve, reject) => {
    const script = [
      "const s = require('node:net').createServer()",
      "s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {",
      "  require('node:fs').writeSync(1, s.address().port + '\\n')",
      "  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000)",
      "})"
    ].join("\n")
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] })
    if (child.pid !== undefined) track(child.pid)
    child.once("error", reject)
    child.stdout.once("data", (chunk: Buffer) => {
      const port = Number(String(chunk).trim())
      // A backlog of 1 queues two connections: once both are in, the kernel drops every other SYN.
      const fillers = [0, 1].map(() => connect({ host: "127.0.0.1", port }))
      const close = () => fillers.forEach((f) => f.destroy())
      let queued = 0
      for (const f of fillers) {
        f.once("error", (e) => reject(new Error(`could not fill the accept queue of port ${port}: ${String(e)}`)))
        f.once("connect", () => (++queued === fillers.length ? resolve({ port, close }) : undefined))
      }
    })
  })
