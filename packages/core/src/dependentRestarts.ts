import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { AgentStore } from "./AgentStore.ts"
import type { DependencyNotMet } from "./dependencyCondition.ts"
import type { Dependency } from "./DependsOn.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import type { Instance } from "./Identity.ts"
import { quoted } from "./printable.ts"

/*
 * `depends_on: { db: { restart: true } }`: when db runs as a new instance (the supervisor
 * restarted it after a crash, someone restarted it, or stopped and started it), a dependent
 * still running the instance it started before db's is restarted, once db meets the condition
 * again. Judged by start times, not by remembering instances: a dependent that started after
 * db's new instance (it waited for it) is left alone, and so is everything adopted at boot
 * while db keeps running.
 */

export interface DependentRestartsOptions {
  readonly store: AgentStore
  readonly fleet: Effect.Effect<LoadedFleet>
  /** Instances started before this (unix ms) were found running, not restarted: not a restart of anything. */
  readonly since: number
  readonly awaitDependency: (dependency: string, dep: Dependency) => Effect.Effect<void, DependencyNotMet>
  /** Restart `id` if it still runs `instance` (the caller checks under the agent's permit), noting `reason`. */
  readonly restart: (id: string, instance: Instance, reason: string) => Effect.Effect<void>
}

export const watchDependentRestarts = (options: DependentRestartsOptions): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { store } = options
    // One pending restart per dependent: a second restart of its dependency meanwhile is the same reason.
    const restarting = yield* FiberMap.make<string>()

    const onRunning = (dependency: string) =>
      Effect.gen(function* () {
        const state = yield* store.get(dependency)
        if (state.status._tag !== "Running") return
        const since = state.status.startedAt
        if (since === null || since < options.since) return
        for (const spec of (yield* options.fleet).agents.values()) {
          const dep = spec.config.depends_on[dependency]
          if (dep === undefined || !dep.restart) continue
          const id = spec.config.agent.id
          const s = yield* store.get(id)
          if (s.status._tag !== "Running" || s.instance === null) continue
          if (s.status.startedAt === null || s.status.startedAt >= since) continue
          const instance = s.instance
          const reason = `restarting: its dependency ${quoted(dependency)} restarted (depends_on.${dependency}.restart: true)`
          yield* FiberMap.run(
            restarting,
            id,
            options.awaitDependency(dependency, dep).pipe(
              Effect.andThen(options.restart(id, instance, reason)),
              Effect.catchTag("DependencyNotMet", (e) =>
                store.note(id, `not restarted after its dependency restarted: ${e.message}`)
              )
            ),
            { onlyIfMissing: true }
          )
        }
      })

    yield* Effect.forkScoped(
      Stream.runForEach(store.events, (e) => (e.detail._tag === "Running" ? onRunning(e.id) : Effect.void))
    )
  })
