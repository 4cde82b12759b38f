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
