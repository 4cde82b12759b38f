/**
 * Prober for hosts without /proc: exactly one `ps` run per snapshot (never one per agent).
 *
 * Start-time token: `lstart` as unix seconds (1 s resolution), reported with ticksPerSecond 1 and
 * bootTimeMs 0 so `bootTimeMs + startTime / ticksPerSecond * 1000` is still the wall clock. The
 * token is prober-specific: a pid record written under one prober is only comparable under the
 * same prober. ps derives lstart from the boot time, so a step of the system clock (not NTP
 * slewing) shifts every token and makes running agents look stale.
 *
 * Marker: the BSD `e` flag appends each process's environment to the last column, which is the
 * only single-call way to see it. Limits: only processes whose environment we may read (our own
 * user's) show one; entries are space-separated and unquoted, so a marker value containing
 * " NAME=" is misread (see internal/psParse.ts).
 *
 * Platforms: procps-ng (Linux) is what the tests run. macOS (`-E`, `ucomm`) has no session-id
 * column, so the process group stands in for the session there (agentctl's setsid makes them
 * equal for the leader; a child that starts its own group escapes it) — untested.
 */
import { ProbeFailed } from "@agentctl/core/Errors"
import { Prober } from "@agentctl/core/Prober"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { parsePsSnapshot, parsePsUsage } from "./internal/psParse.ts"
import { readBootIdSync } from "./procfsSync.ts"
import { childProcess } from "./childProcess.ts"

/** English month names and UTC dates, whatever the user's locale and zone. */
const psEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_ALL: "C", TZ: "UTC" })

export const snapshotArgs = (platform: NodeJS.Platform): ReadonlyArray<string> =>
  platform === "darwin"
    ? ["-A", "-ww", "-E", "-o", "pid=,ppid=,pgid=,pgid=,stat=,lstart=,ucomm="]
    : ["-A", "-ww", "e", "-o", "pid=,ppid=,pgid=,sid=,stat=,lstart=,comm="]

interface PsResult {
  readonly stdout: string
  readonly exitCode: number
}

const runPs = (args: ReadonlyArray<string>, what: string): Effect.Effect<PsResult, ProbeFailed> =>
  Effect.callback<PsResult, ProbeFailed>((resume, signal) => {
    childProcess().execFile(
      "ps",
      args,
      { env: psEnv(), encoding: "utf8", maxBuffer: 256 * 1024 * 1024, signal, windowsHide: true },
      (error, stdout, stderr) => {
        if (error === null) return resume(Effect.succeed({ stdout, exitCode: 0 }))
        const code: unknown = "code" in error ? error.code : undefined
        if (typeof code === "number") return resume(Effect.succeed({ stdout, exitCode: code }))
        const source = `ps ${args.join(" ")}`
        resume(
          Effect.fail(
            code === "ENOENT"
              ? ProbeFailed.because({
                  source,
                  what,
                  code,
                  detail: "ps is not installed (not found on PATH) and /proc is not available",
                  cause: error
                })
              : stderr.trim() !== ""
                ? ProbeFailed.because({ source, what, code: null, detail: stderr.trim(), cause: error })
                : ProbeFailed.fromCause(source, what, error)
          )
        )
      }
    )
  })

const snapshot = Effect.gen(function* () {
  const args = snapshotArgs(process.platform)
  const what = "the process table"
  const source = `ps ${args.join(" ")}`
  const { stdout, exitCode } = yield* runPs(args, what)
  if (exitCode !== 0) {
    return yield* ProbeFailed.because({ source, what, code: null, detail: `ps exited with code ${exitCode}` })
  }
  const processes = parsePsSnapshot(stdout)
  if (processes.size === 0) {
    return yield* ProbeFailed.because({ source, what, code: null, detail: "ps printed no process we could parse" })
  }
  // Linux keeps a boot id even when ps is the prober; elsewhere "" (lstart is wall clock anyway).
  return { bootId: readBootIdSync(), bootTimeMs: 0, ticksPerSecond: 1, processes }
}).pipe(Effect.withSpan("PsProber.snapshot"))

const isPid = (pid: number): boolean => Number.isSafeInteger(pid) && pid > 0

export const layer: Layer.Layer<Prober> = Layer.succeed(
  Prober,
  Prober.of({
    snapshot,
    // One `ps` run reads every marker at once: nothing to save by knowing an earlier snapshot.
    snapshotAfter: () => snapshot,
    bootId: Effect.sync(readBootIdSync),
    usage: Effect.fn("PsProber.usage")(function* (pid: number) {
      if (!isPid(pid)) return null
      const what = `the usage of pid ${pid}`
      const args = ["-o", "stat=,rss=,time=,lstart=", "-p", String(pid)]
      const { stdout, exitCode } = yield* runPs(args, what)
      // ps exits 1 when the pid matched nothing.
      if (exitCode !== 0 || stdout.trim() === "") return null
      // A zombie has exited; it only waits to be reaped (see readUsageSync).
      const [state = "", ...rest] = stdout.trim().split(/\s+/)
      if (state.startsWith("Z") || state.startsWith("X")) return null
      const usage = parsePsUsage(rest.join(" "))
      if (usage === null) {
        return yield* ProbeFailed.because({
          source: `ps ${args.join(" ")}`,
          what,
          code: null,
          detail: `cannot parse what ps printed: ${stdout.trim()}`
        })
      }
      const now = yield* Clock.currentTimeMillis
      return {
        pid,
        startTime: usage.startTime,
        rssBytes: usage.rssKb * 1024,
        cpuTicks: usage.cpuSeconds,
        sampledAt: now
      }
    }),
    /** ps joins argv with spaces: split back on whitespace, so an argument holding a space comes back as two. */
    argv: (pid) =>
      isPid(pid)
        ? runPs(["-ww", "-o", "args=", "-p", String(pid)], `the command line of pid ${pid}`).pipe(
            Effect.map(({ stdout, exitCode }) =>
              exitCode !== 0 || stdout.trim() === "" ? null : stdout.trim().split(/\s+/)
            ),
            // The contract: null when gone or unreadable; argv only labels a process, it proves nothing.
            Effect.orElseSucceed(() => null)
          )
        : Effect.succeed(null)
  })
)
