import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { carryOut } from "../src/applyPlan.ts"
import type { StartOutcome, StopOutcome } from "../src/Outcomes.ts"
import type { PlannedAction } from "../src/planApply.ts"

const stopped = (id: string): StopOutcome => ({
  id,
  result: "stopped",
  pids: [1],
  escalated: false,
  removedStaleRecord: false
})
const started = (id: string, pid: number): StartOutcome => ({ id, result: "started", pid, error: null })
const plan: ReadonlyArray<PlannedAction> = [
  { id: "a", action: "restart", reason: "drifted" },
  { id: "b", action: "restart", reason: "drifted" },
  { id: "c", action: "restart", reason: "drifted" },
  { id: "d", action: "stop", reason: "disabled" },
  { id: "e", action: "start", reason: "new" },
  { id: "f", action: "none", reason: "up to date" }
]

describe("carryOut", () => {
  it.effect(
    "stops, then restarts in waves (dependencies first), then starts; a failed wave fails only its agents",
    () =>
      Effect.gen(function* () {
        const calls: Array<string> = []
        const out = yield* carryOut(
          plan,
          {
            stop: (ids) => Effect.sync(() => (calls.push(`stop ${ids}`), ids.map(stopped))),
            restart: (ids) =>
              ids.includes("c")
                ? Effect.sync(() => calls.push(`restart ${ids}`)).pipe(
                    Effect.andThen(Effect.fail(new Error("socket gone")))
                  )
                : Effect.sync(
                    () => (
                      calls.push(`restart ${ids}`),
                      ids.map((id, i) => ({ stop: stopped(id), start: started(id, 10 + i) }))
                    )
                  ),
            // The start answers for a dependency it started too: not ours to report.
            start: (ids) =>
              Effect.sync(() => (calls.push(`start ${ids}`), [started("dep", 5), ...ids.map((id) => started(id, 20))]))
          },
          { parallel: 2, order: [["c"], ["a", "b"]] }
        )
        assert.deepStrictEqual(calls, ["stop d", "restart c", "restart a,b", "start e"])
        assert.deepStrictEqual(
          out.map((o) => [o.id, o.result, o.pid, o.error]),
          [
            ["a", "done", 10, null],
            ["b", "done", 11, null],
            ["c", "failed", null, "socket gone"],
            ["d", "done", null, null],
            ["e", "done", 20, null],
            ["f", "done", null, null]
          ]
        )
      })
  )
})
