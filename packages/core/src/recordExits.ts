import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { StopPlan } from "./AgentProcesses.ts"
import type { FileError } from "./Errors.ts"
import { type AgentHistory, emptyHistory, type ExitRecord, exitReason, parseHistory, withExit } from "./ExitHistory.ts"
import type { Instance } from "./Identity.ts"
import type { StopOutcome } from "./Outcomes.ts"
import type { Snapshot } from "./ProcessTable.ts"
import { RunDir } from "./RunDir.ts"
import type { SignalName } from "./Signals.ts"
import { startedAtMs } from "./usage.ts"

/*
 * Writing `run/history/<id>.json`, for both ways of running a fleet. One writer per agent at a
 * time: in the launcher, the agent's supervision and the actions holding its permit take turns
 * (a stop interrupts the supervision before it records); without one, the fleet lock.
 */

/**
 * Read the agent's history, change it, write it back. A file that is not a history (ours are
 * written whole, so someone else wrote it) can never be added to, and keeping it would lose every
 * later exit: it is replaced, and the error it gave is returned for the caller to report.
 */
export const updateHistory = Effect.fn("recordExits.updateHistory")(function* (
  id: string,
  change: (history: AgentHistory) => AgentHistory
) {
  const runDir = yield* RunDir
  const { before, replaced } = yield* runDir.readHistory(id).pipe(
    Effect.map((read) => ({ before: read, replaced: null as FileError | null })),
    Effect.catchIf(
      (e: FileError) => e.operation === parseHistory,
      (e) => Effect.succeed({ before: emptyHistory, replaced: e })
    )
  )
  yield* runDir.writeHistory(id, change(before))
  return replaced
})

/** Add an exit; `restarts` is the count `ls` shows now, or "keep" for the one the file has (no launcher counts). */
export const recordExit = (id: string, record: ExitRecord, restarts: number | "keep") =>
  updateHistory(id, (h) => withExit(h, record, restarts === "keep" ? h.restarts : restarts))

/** Seconds from `startedAt` to `at`, to the millisecond; null when the start is unknown. */
export const uptimeBetween = (startedAt: number | null, at: number): number | null =>
  startedAt === null ? null : Math.max(0, at - startedAt) / 1000

export interface StoppedInstance {
  /** The instance the user stopped (the supervised one, or the one its pid record names). */
  readonly pid: number | null
  /** unix ms; null when unknown. */
  readonly startedAt: number | null
  /** The signal sent first, and whether SIGKILL followed it after the stop timeout. */
  readonly signal: SignalName
  readonly escalated: boolean
  readonly requested: "stop" | "kill"
  readonly at: number
}

/**
 * The record of a user's stop or kill. Its exit code is nobody's to see (the launcher stops
 * watching before it signals; without a launcher it is not our child): the signal is the one
 * that ended it, SIGKILL when the stop timeout ran out.
 */
export const stoppedRecord = (s: StoppedInstance): ExitRecord => {
  const signal = s.escalated ? "SIGKILL" : s.signal
  return {
    at: s.at,
    pid: s.pid,
    code: null,
    signal,
    reason: exitReason({ exit: { code: null, signal, at: s.at }, requested: s.requested, oomKilled: false }),
    uptime: uptimeBetween(s.startedAt, s.at)
  }
}

/** When an instance started, from its start time and the snapshot's clock; null when that cannot tell. */
export const instanceStartedAt = (instance: Instance, snapshot: Snapshot): number | null =>
  instance.startTime < 0
    ? null
    : startedAtMs({
        startTime: instance.startTime,
        ticksPerSecond: snapshot.ticksPerSecond,
        bootTimeMs: snapshot.bootTimeMs
      })

/** One agent a daemonless stop or kill acted on: its plan, its outcome, the instance its pid record names. */
export interface DaemonlessStop {
  readonly plan: StopPlan
  readonly outcome: StopOutcome
  readonly primary: Instance | null
  /** When its instances were seen gone (stopPlans' `endedAt`); null: when the stop ended. */
  readonly endedAt: number | null
}

/**
 * Record the exits a daemonless stop or kill caused, every agent's tried. Returns the first
 * failure, or the first corrupt file replaced, for the command to fail with once its action is
 * done (it has no events to note them in); null when all went well.
 */
export const recordStops = Effect.fnUntraced(function* (
  stops: ReadonlyArray<DaemonlessStop>,
  requested: "stop" | "kill",
  snapshot: Snapshot
) {
  const now = yield* Clock.currentTimeMillis
  const outcomes = yield* Effect.forEach(
    stops.filter((s) => s.outcome.result === "stopped"),
    ({ plan, outcome, primary, endedAt }) => {
      const instance = primary ?? plan.instances[0] ?? null
      const record = stoppedRecord({
        pid: instance?.pid ?? null,
        startedAt: instance === null ? null : instanceStartedAt(instance, snapshot),
        signal: plan.signal,
        escalated: outcome.escalated,
        requested,
        at: endedAt ?? now
      })
      return recordExit(plan.id, record, "keep").pipe(Effect.catch((e) => Effect.succeed(e)))
    },
    // One small file per agent, written at once: a stop --all pays for one, not for every agent.
    { concurrency: 16 }
  )
  return outcomes.find((o) => o !== null) ?? null
})
