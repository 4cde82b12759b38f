import * as Effect from "effect/Effect"
import type { ApplyOutcome, RestartOutcome, StartOutcome, StopOutcome } from "./Outcomes.ts"
import { type PlannedAction, restartWaves } from "./planApply.ts"

/*
 * Carrying an `apply` plan out, the same way with or without a launcher: stops first (removed
 * and disabled agents), then restarts of drifted ones in waves of `parallel`, dependencies
 * before their dependents, then starts (which follow `depends_on` themselves). A step that fails
 * fails only the agents it was for; the others still get theirs.
 */

export interface ApplySteps<E, R> {
  readonly stop: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<StopOutcome>, E, R>
  readonly restart: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<RestartOutcome>, E, R>
  readonly start: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<StartOutcome>, E, R>
}

/** The default of `--parallel`: enough to restart a fleet quickly, few enough not to take a small host down at once. */
export const defaultParallel = 4

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

export const planned = (plan: ReadonlyArray<PlannedAction>): ReadonlyArray<ApplyOutcome> =>
  plan.map((p) => ({ ...p, result: "planned", pid: null, error: null }))

export const carryOut = <E, R>(
  plan: ReadonlyArray<PlannedAction>,
  steps: ApplySteps<E, R>,
  options: { readonly parallel: number; readonly order: ReadonlyArray<ReadonlyArray<string>> }
): Effect.Effect<ReadonlyArray<ApplyOutcome>, never, R> =>
  Effect.gen(function* () {
    const done = new Map<string, ApplyOutcome>()
    const byId = new Map(plan.map((p) => [p.id, p] as const))
    const settle = (id: string, pid: number | null, error: string | null) =>
      done.set(id, { ...byId.get(id)!, result: error === null ? "done" : "failed", pid, error })
    const failAll = (ids: ReadonlyArray<string>, e: unknown) => {
      for (const id of ids) settle(id, null, messageOf(e))
    }
    const ids = (action: PlannedAction["action"]) => plan.filter((p) => p.action === action).map((p) => p.id)

    const stops = ids("stop")
    if (stops.length > 0) {
      const out = yield* Effect.result(steps.stop(stops))
      if (out._tag === "Failure") failAll(stops, out.failure)
      else for (const o of out.success) settle(o.id, null, null)
    }
    for (const wave of restartWaves(ids("restart"), options.order, options.parallel)) {
      const out = yield* Effect.result(steps.restart(wave))
      if (out._tag === "Failure") failAll(wave, out.failure)
      else
        for (const { start } of out.success) settle(start.id, start.pid, start.result === "failed" ? start.error : null)
    }
    const starts = ids("start")
    if (starts.length > 0) {
      const out = yield* Effect.result(steps.start(starts))
      if (out._tag === "Failure") failAll(starts, out.failure)
      // A start answers for the dependencies it started on the way too: only the planned ones are ours.
      else for (const o of out.success) if (byId.has(o.id)) settle(o.id, o.pid, o.result === "failed" ? o.error : null)
    }
    return plan.map(
      (p): ApplyOutcome =>
        done.get(p.id) ??
        (p.action === "none"
          ? { ...p, result: "done", pid: null, error: null }
          : { ...p, result: "failed", pid: null, error: "no outcome was reported for it" })
    )
  })
