/**
 * Control actions started by a request run in a fiber of their own, which the request only
 * awaits. A client that hangs up (or gives up on a long `?timeout=`) interrupts its request, and
 * with it the wait, but not the stop or start it asked for: that runs to its end, so no agent is
 * left half-stopped by a closed connection. The fibers belong to the API's shared state, whose
 * closing waits for those still running.
 */
import { Control } from "@agentctl/core/Control"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"

export class ActionRunner extends Context.Service<
  ActionRunner,
  {
    /** `action` in a fiber that outlives the caller; the caller gets its result, or stops waiting when interrupted. */
    readonly run: <A, E, R>(action: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  }
>()("@agentctl/api/ActionRunner") {
  static readonly layer: Layer.Layer<ActionRunner> = Layer.effect(
    ActionRunner,
    Effect.gen(function* () {
      const fibers = yield* FiberSet.make()
      // Added after the set, so it runs before the set's own finalizer interrupts what is left.
      yield* Effect.addFinalizer(() => FiberSet.awaitEmpty(fibers))
      return ActionRunner.of({
        run: (action) => Effect.flatMap(FiberSet.run(fibers, action), Fiber.join)
      })
    })
  )
}

/** Control whose actions run through `runner`: each runs to its end whatever happens to the request. */
export const toCompletion = (control: Control["Service"], runner: ActionRunner["Service"]): Control["Service"] =>
  Control.of({
    ...control,
    start: (targets) => runner.run(control.start(targets)),
    stop: (targets, timeoutMs) => runner.run(control.stop(targets, timeoutMs)),
    restart: (targets, timeoutMs) => runner.run(control.restart(targets, timeoutMs)),
    kill: (targets) => runner.run(control.kill(targets)),
    setEnabled: (id, enabled) => runner.run(control.setEnabled(id, enabled)),
    reload: runner.run(control.reload),
    apply: (options) => runner.run(control.apply(options))
  })
