import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { runWithClock } from "../src/testing/TestClockDriver.ts"

describe("runWithClock", () => {
  it.effect("drives sleeps until the effect is done", () =>
    Effect.gen(function* () {
      const out = yield* runWithClock(Effect.as(Effect.sleep("3 seconds"), "woke"))
      assert.strictEqual(out, "woke")
    })
  )

  it.effect("fails, instead of hanging, when the budget of virtual time is spent", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(runWithClock(Effect.never, { max: "1 second" }))
      assert.strictEqual(error._tag, "ClockBudgetSpent")
      assert.match(error.message, /did not finish within 1000 ms/)
    })
  )
})
