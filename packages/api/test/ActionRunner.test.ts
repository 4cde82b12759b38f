import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { ActionRunner } from "../src/ActionRunner.ts"

/** An action that says when it has begun, then waits to be released; it records how it ended. */
const gatedAction = Effect.gen(function* () {
  const entered = yield* Deferred.make<void>()
  const release = yield* Deferred.make<void>()
  const ended = yield* Deferred.make<"finished" | "interrupted">()
  const action = Deferred.succeed(entered, undefined).pipe(
    Effect.andThen(Deferred.await(release)),
    Effect.andThen(Deferred.succeed(ended, "finished")),
    Effect.as("done"),
    Effect.onInterrupt(() => Deferred.succeed(ended, "interrupted"))
  )
  return { action, entered, release, ended }
})

describe("ActionRunner", () => {
  it.effect("an interrupted caller stops waiting at once; the action runs to its end", () =>
    Effect.gen(function* () {
      const runner = yield* ActionRunner
      const { action, entered, release, ended } = yield* gatedAction
      const caller = yield* Effect.forkChild(runner.run(action))
      yield* Deferred.await(entered)
      const callerExit = yield* Fiber.interrupt(caller).pipe(Effect.andThen(Fiber.await(caller)))
      assert.isTrue(Exit.hasInterrupts(callerExit))
      assert.isFalse(yield* Deferred.isDone(ended))
      yield* Deferred.succeed(release, undefined)
      assert.strictEqual(yield* Deferred.await(ended), "finished")
    }).pipe(Effect.provide(ActionRunner.layer))
  )

  it.effect("a caller that waits gets the action's result and its failure", () =>
    Effect.gen(function* () {
      const runner = yield* ActionRunner
      assert.strictEqual(yield* runner.run(Effect.succeed(42)), 42)
      assert.strictEqual(yield* Effect.flip(runner.run(Effect.fail("nope" as const))), "nope")
    }).pipe(Effect.provide(ActionRunner.layer))
  )

  it.effect("closing the runner waits for the actions still running", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(ActionRunner.layer, scope)
      const runner = Context.get(context, ActionRunner)
      const { action, entered, release, ended } = yield* gatedAction
      const caller = yield* Effect.forkChild(runner.run(action))
      yield* Deferred.await(entered)
      yield* Fiber.interrupt(caller)
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      yield* Effect.yieldNow
      assert.isUndefined(closing.pollUnsafe())
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(closing)
      assert.strictEqual(yield* Deferred.await(ended), "finished")
    })
  )
})
