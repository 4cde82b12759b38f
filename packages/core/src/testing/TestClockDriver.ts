import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"

/**
 * Run `effect` while moving the TestClock forward in steps until it completes (or `max` of
 * virtual time passes). A single big `TestClock.adjust` races the forked fiber: if the fiber
 * registers its first sleep after the clock already moved, it waits forever.
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
      if (fiber.pollUnsafe() !== undefined) break
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.join(fiber)
  })
