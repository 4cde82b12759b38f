import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Semaphore from "effect/Semaphore"
import { LauncherActive } from "../Errors.ts"
import { FleetLock } from "../FleetLock.ts"

/**
 * The fleet lock in memory: one permit, and a launcher a test can register. `exclusive` checks
 * the registration holding the permit, as the real lock does.
 */
export class FakeLauncherRegistry extends Context.Service<
  FakeLauncherRegistry,
  {
    /** A launcher with this pid now owns the fleet (null: none). */
    readonly register: (pid: number | null) => Effect.Effect<void>
    /** How many times `exclusive` ran its effect. */
    readonly entered: Effect.Effect<number>
  }
>()("@agentctl/core/testing/FakeLauncherRegistry") {}

export const layer = Layer.effectContext(
  Effect.gen(function* () {
    const permit = yield* Semaphore.make(1)
    const launcher = yield* Ref.make<number | null>(null)
    const entered = yield* Ref.make(0)
    const lock = FleetLock.of({
      exclusive: (effect) =>
        permit.withPermits(1)(
          Effect.gen(function* () {
            const pid = yield* Ref.get(launcher)
            if (pid !== null) return yield* LauncherActive.forPid(pid)
            yield* Ref.update(entered, (n) => n + 1)
            return yield* effect
          })
        )
    })
    return Context.make(FleetLock, lock).pipe(
      Context.add(
        FakeLauncherRegistry,
        FakeLauncherRegistry.of({ register: (pid) => Ref.set(launcher, pid), entered: Ref.get(entered) })
      )
    )
  })
)
