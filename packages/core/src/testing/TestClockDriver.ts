import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"

/** `runWithClock` moved the clock as far as it was allowed and the effect still had not finished. */
export class ClockBudgetSpent extends Data.TaggedError("ClockBudgetSpent")<{ readonly maxMs: number }> {
  override get message() {
    return `the effect did not finish within ${this.maxMs} ms of virtual time`
  }
}

/**
 * Run `effect` while moving the TestClock forward in steps until it completes (or `max` of
 * virtual time passes: then it is interrupted and this fails with ClockBudgetSpent, rather than
 * waiting forever for a fiber nothing will wake). A single big `TestClock.adjust` races the
 * forked fiber: if the fiber registers its first sleep after the clock already moved, it waits
 * forever.
 */
export const runWithClock = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: { readonly step?: Duration.Input; readonly max?: Duration.Input } = {}
) =>
  Effect.gen(function* () {
    const step = Duration.fromInputUnsafe(options.step ?? "50 millis")
    const max = Duration.toMillis(Duration.fromInputUnsafe(options.max ?? "10 minutes"))
    const fiber = yield* Effect.forkChild(effect)
    for (let elapsed = 0; elapsed <= max; elapsed += Duration.toMillis(step)) {
      yield* Effect.yieldNow
      if (fiber.pollUnsafe() !== undefined) return yield* Fiber.join(fiber)
      yield* TestClock.adjust(step)
    }
    yield* Effect.yieldNow
    if (fiber.pollUnsafe() !== undefined) return yield* Fiber.join(fiber)
    yield* Fiber.interrupt(fiber)
    return yield* new ClockBudgetSpent({ maxMs: max })
  })
