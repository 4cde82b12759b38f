import { FileError, LauncherFailedToStart, LauncherRunning } from "@agentctl/core/Errors"
import { readLauncherSync } from "@agentctl/shell/launcherRecord"
import * as Effect from "effect/Effect"
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs"
import { request } from "node:http"
import { dirname, join } from "node:path"
import { parseLines, tcpFailureOf } from "./launcherLog.ts"
import { launcherPaths } from "./paths.ts"
import { launcherNodeFlags, launcherTuning } from "./tuning.ts"
import { childProcess } from "@agentctl/shell/childProcess"

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

/** What was appended to `file` after byte `offset`, as lines: what this launcher wrote to its log. */
const linesSince = (file: string, offset: number): Effect.Effect<ReadonlyArray<string>, FileError> =>
  Effect.try({
    try: () => {
      const fd = openSync(file, "r")
      try {
        const size = fstatSync(fd).size
        // Smaller than when we started: the launcher rotated its log (ownLog.ts); all of it is new.
        const from = size < offset ? 0 : offset
        const length = size - from
        const buffer = Buffer.alloc(length)
        for (let n = 0; n < length;) {
          const read = readSync(fd, buffer, n, length - n, from + n)
          if (read === 0) break
          n += read
        }
        return buffer
          .toString("utf8")
          .split("\n")
          .filter((l) => l !== "")
      } finally {
        closeSync(fd)
      }
    },
    catch: (e) => FileError.fromCause(file, "read", e)
  })

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

const fsStep = <A>(path: string, operation: string, f: () => A) =>
  Effect.try({ try: f, catch: (e) => FileError.fromCause(path, operation, e) })

export const startLauncher = Effect.fn("startLauncher")(function* (root: string) {
  const paths = launcherPaths(root)
  const running = readLauncherSync(paths.runDir)
  if (running !== null) return yield* LauncherRunning.forRoot(root, running.pid)
  yield* fsStep(paths.runDir, "create folder", () => mkdirSync(paths.runDir, { recursive: true }))
  const fd = yield* fsStep(paths.log, "open", () => openSync(paths.log, "a"))
  // Everything after this offset is what the launcher we start writes (its lock admits one at a time).
  const offset = yield* fsStep(paths.log, "inspect", () => fstatSync(fd).size)
  const child = childProcess().spawn(process.execPath, [...launcherNodeFlags, launcherEntry(), root], {
    cwd: root,
    detached: true,
    stdio: ["ignore", fd, fd],
    env: launcherEnv()
  })
  closeSync(fd)
  child.unref()
  // "spawn" or "error" comes first; without an "error" listener, a failed spawn would crash us.
  const spawnError = yield* Effect.callback<string | null>((resume) => {
    child.once("spawn", () => resume(Effect.succeed(null)))
    child.once("error", (e) => resume(Effect.succeed(e.message)))
  })
  const pid = child.pid ?? null
  const failed = (outcome: string) =>
    Effect.map(
      linesSince(paths.log, offset).pipe(
        // The launcher's failure is the news; a log we cannot read is said in its place.
        Effect.catch((e) => Effect.succeed([`(${e.message})`]))
      ),
      (lines) => LauncherFailedToStart.because({ root, pid, log: paths.log, lastLines: lines.slice(-8), outcome })
    )
  if (spawnError !== null || pid === null) {
    return yield* Effect.flip(failed(`could not be started: ${spawnError ?? "no pid"}`))
  }
  const deadline = Date.now() + readyWithinMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const holder = readLauncherSync(paths.runDir)
      if (holder !== null && holder.pid !== pid) return yield* LauncherRunning.forRoot(root, holder.pid)
      return yield* Effect.flip(failed(`exited (${child.signalCode ?? `code ${child.exitCode}`})`))
    }
    if ((yield* healthzPid(paths.socket)) === pid) break
    if (Date.now() > deadline) {
      return yield* Effect.flip(failed(`did not open its socket within ${readyWithinMs / 1000} s`))
    }
    yield* Effect.sleep(50)
  }
  // It logs how its TCP listener fared before it opens the socket that just answered.
  const tcpFailure = tcpFailureOf(parseLines(yield* linesSince(paths.log, offset)), pid)
  return { pid, log: paths.log, socket: paths.socket, tcpFailure }
})
