import { FileError, LauncherFailedToStart, LauncherRunning } from "@agentctl/core/Errors"
import { readLauncherSync } from "@agentctl/shell/launcherRecord"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs"
import { request } from "node:http"
import { dirname, join } from "node:path"
import { launcherPaths } from "./paths.ts"
import { launcherNodeFlags, launcherTuning } from "./tuning.ts"

/*
 * `agentctl launcher start`: the launcher bundle in the background, detached, its output in
 * run/launcher.log; done when its control socket answers /healthz with its own pid (it opens the
 * socket last, after booting the fleet and trying its TCP listener).
 */

/** How long `launcher start` waits for the launcher to boot the fleet and open its socket. */
export const readyWithinMs = 60_000

/** Our tuning, for the variables the user did not set; the launcher's entry removes them again. */
const launcherEnv = () => {
  const added = Object.keys(launcherTuning).filter((k) => process.env[k] === undefined)
  return {
    ...process.env,
    ...Object.fromEntries(added.map((k) => [k, launcherTuning[k]!])),
    AGENTCTL_LAUNCHER_TUNING: added.join(",")
  }
}
const launcherEntry = () => join(dirname(process.argv[1]!), "launcher.cjs")

export const lastLines = (file: string, n: number): ReadonlyArray<string> => {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-n)
  } catch {
    return []
  }
}

/** The pid /healthz reports over the socket, or null while nothing (or something else) answers there. */
const healthzPid = (socketPath: string): Effect.Effect<number | null> =>
  Effect.callback<number | null>((resume) => {
    const req = request({ socketPath, path: "/healthz", timeout: 2000 }, (res) => {
      let body = ""
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk))
      res.on("error", () => resume(Effect.succeed(null)))
      res.on("end", () => {
        try {
          const parsed: unknown = JSON.parse(body)
          const pid = typeof parsed === "object" && parsed !== null && "pid" in parsed ? parsed.pid : null
          resume(Effect.succeed(typeof pid === "number" ? pid : null))
        } catch {
          resume(Effect.succeed(null))
        }
      })
    })
    req.on("timeout", () => req.destroy())
    req.on("error", () => resume(Effect.succeed(null)))
    req.end()
  })

/** The TCP listener's failure, if the launcher with this pid logged one (it logs before it opens its socket). */
const tcpFailure = (log: string, pid: number): string | null => {
  const lines = lastLines(log, 200)
  const since = lines.findLastIndex((l) => l.includes(`"event":"launcher-started","pid":${pid},`))
  const failure = lines
    .slice(Math.max(0, since))
    .find((l) => l.includes('"event":"api-failed"') && l.includes(`"listener":"tcp"`))
  if (failure === undefined) return null
  const parsed: unknown = JSON.parse(failure)
  const message = typeof parsed === "object" && parsed !== null && "message" in parsed ? parsed.message : null
  return typeof message === "string" ? message : "unknown error"
}

const fsStep = <A>(path: string, operation: string, f: () => A) =>
  Effect.try({ try: f, catch: (e) => FileError.fromCause(path, operation, e) })

export const startLauncher = Effect.fn("startLauncher")(function* (root: string) {
  const paths = launcherPaths(root)
  const running = readLauncherSync(paths.runDir)
  if (running !== null) return yield* LauncherRunning.forRoot(root, running.pid)
  yield* fsStep(paths.runDir, "create folder", () => mkdirSync(paths.runDir, { recursive: true }))
  const fd = yield* fsStep(paths.log, "open", () => openSync(paths.log, "a"))
  const child = spawn(process.execPath, [...launcherNodeFlags, launcherEntry(), root], {
    cwd: root,
    detached: true,
    stdio: ["ignore", fd, fd],
    env: launcherEnv()
  })
  closeSync(fd)
  child.unref()
  const pid = child.pid ?? null
  const failed = (outcome: string) =>
    LauncherFailedToStart.because({ root, pid, log: paths.log, lastLines: lastLines(paths.log, 8), outcome })
  if (pid === null) return yield* failed("could not be started")
  const deadline = Date.now() + readyWithinMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const holder = readLauncherSync(paths.runDir)
      if (holder !== null && holder.pid !== pid) return yield* LauncherRunning.forRoot(root, holder.pid)
      return yield* failed(`exited (${child.signalCode ?? `code ${child.exitCode}`})`)
    }
    if ((yield* healthzPid(paths.socket)) === pid) break
    if (Date.now() > deadline) return yield* failed(`did not open its socket within ${readyWithinMs / 1000} s`)
    yield* Effect.sleep(50)
  }
  return { pid, log: paths.log, socket: paths.socket, tcpFailure: tcpFailure(paths.log, pid) }
})
