import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { StopPlan } from "./AgentProcesses.ts"
import type { AgentState, AgentStore } from "./AgentStore.ts"
import type { FileError } from "./Errors.ts"
import { type ExitRecord, exitReason, type LauncherStop, parseHistory } from "./ExitHistory.ts"
import { oomKilledBetween, OomKills, provedOomKill } from "./OomKills.ts"
import type { StopOutcome } from "./Outcomes.ts"
import type { Snapshot } from "./ProcessTable.ts"
import { instanceStartedAt, recordExit, stoppedRecord, updateHistory, uptimeBetween } from "./recordExits.ts"
import { RunDir } from "./RunDir.ts"
import type { ExitInfo } from "./Status.ts"

/*
 * The launcher's side of the exit history: the record of each instance's end, the restart count
 * carried from one launcher to the next, and every failure to read or write the file noted as
 * an event of the agent: never fatal, never silent.
 */

/** A history write, its failure (or the corrupt file it replaced) noted as the agent's event. */
const noting = (store: AgentStore, id: string, write: Effect.Effect<FileError | null, FileError, RunDir>) =>
  write.pipe(
    Effect.flatMap((replaced) =>
      replaced === null ? Effect.void : store.note(id, `${replaced.message}; replaced it with a new exit history`)
    ),
    Effect.catch((e) => store.note(id, `could not record its exit history: ${e.message}`)),
    // A write cut off by the stop that interrupts the supervision would race that stop's own write.
    Effect.uninterruptible
  )

/** Record an exit with the restart count `ls` shows now. */
export const noteExit = (store: AgentStore, id: string, record: ExitRecord, restarts: number) =>
  noting(store, id, recordExit(id, record, restarts))

/** The restart count `ls` shows now, written for the next launcher. */
export const noteRestarts = (store: AgentStore, id: string, restarts: number) =>
  noting(
    store,
    id,
    updateHistory(id, (h) => ({ ...h, restarts }))
  )

/** One instance the launcher supervises, from its start to the record of its end. */
export interface InstanceEnd {
  /**
   * Why the launcher itself ends this instance: the health code sets it to "unhealthy" (a
   * liveness or startup probe failed) or "memory" (over `run.max_memory`) BEFORE it stops the
   * instance, so the exit that follows is recorded with that reason. Null: it ended on its own.
   */
  readonly endedBy: Ref.Ref<LauncherStop | null>
  /** Record its exit (reason from `exitReason`), with the restart count `ls` shows now. */
  readonly record: (exit: ExitInfo, restarts: number) => Effect.Effect<void, never, RunDir | OomKills>
}

/**
 * Watch an instance as it starts: the OOM-kill count of its cgroup now, to compare with the
 * count when it ends SIGKILLed. `startedAt` (unix ms) gives its uptime; null when unknown.
 */
export const watchInstance = Effect.fnUntraced(function* (
  store: AgentStore,
  id: string,
  instance: { readonly pid: number | null; readonly startedAt: number | null }
) {
  const oom = yield* OomKills
  const before = instance.pid === null ? null : yield* oom.count(instance.pid)
  const endedBy = yield* Ref.make<LauncherStop | null>(null)
  const record = (exit: ExitInfo, restarts: number) =>
    Effect.gen(function* () {
      const at = exit.at ?? (yield* Clock.currentTimeMillis)
      let oomKilled = false
      if (exit.signal === "SIGKILL" && instance.pid !== null && before !== null) {
        const after = yield* oom.recount(before)
        // The kernel log is read only when the count says the OOM killer struck.
        oomKilled =
          oomKilledBetween(before, after) &&
          provedOomKill({ pid: instance.pid, before, after, victims: yield* oom.victims })
      }
      const reason = exitReason({ exit, requested: yield* Ref.get(endedBy), oomKilled })
      yield* noteExit(
        store,
        id,
        {
          at,
          pid: instance.pid,
          code: exit.code,
          signal: exit.signal,
          reason,
          uptime: uptimeBetween(instance.startedAt, at)
        },
        restarts
      )
    })
  return { endedBy, record } satisfies InstanceEnd
})

/**
 * The restart counts of agents the launcher has not counted yet, from their files: once per
 * agent, before its first state. An unreadable file is noted; the count then starts at 0.
 */
export const carriedRestarts = (store: AgentStore) => {
  const seeded = new Set<string>()
  return (ids: Iterable<string>) =>
    Effect.gen(function* () {
      const fresh = [...ids].filter((id) => !seeded.has(id))
      for (const id of fresh) seeded.add(id)
      const runDir = yield* RunDir
      yield* Effect.forEach(
        fresh,
        (id) =>
          runDir.readHistory(id).pipe(
            Effect.flatMap((h) =>
              h.restarts === 0 ? Effect.void : store.update(id, (s) => ({ ...s, restarts: h.restarts }))
            ),
            Effect.catch((e) =>
              store.note(
                id,
                `${e.message}; its restart count starts at 0${e.operation === parseHistory ? " and the file is replaced at its next exit" : ""}`
              )
            )
          ),
        { concurrency: 32, discard: true }
      )
    })
}

/** A stop the launcher did for a user: what it knew of the agent before, and what the stop did. */
export interface LauncherStopFacts {
  readonly before: AgentState
  readonly plan: StopPlan
  readonly outcome: StopOutcome
  readonly requested: "stop" | "kill"
  readonly snapshot: Snapshot
  /** When its instances were seen gone (stopPlans' `endedAt`); null: now. */
  readonly endedAt: number | null
  readonly restarts: number
}

/**
 * Record a stop the launcher did for a user (stop, kill, restart, reload, its own shutdown):
 * the instance it supervised, else the first one the stop found.
 */
export const noteStop = Effect.fnUntraced(function* (store: AgentStore, stop: LauncherStopFacts) {
  const { before, plan } = stop
  const instance = before.instance ?? plan.instances[0] ?? null
  const was = before.status
  const startedAt =
    was._tag === "Running" && was.pid === instance?.pid
      ? was.startedAt
      : instance === null
        ? null
        : instanceStartedAt(instance, stop.snapshot)
  const record = stoppedRecord({
    pid: instance?.pid ?? null,
    startedAt,
    signal: plan.signal,
    escalated: stop.outcome.escalated,
    requested: stop.requested,
    at: stop.endedAt ?? (yield* Clock.currentTimeMillis)
  })
  yield* noteExit(store, plan.id, record, stop.restarts)
})
