import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import { type AgentState, type AgentStore, idle } from "./AgentStore.ts"
import { dependencyClosure, type DependencyGraph, dependencyGraph, startLevels } from "./dependencyGraph.ts"
import { DependencyNotMet, hasReadinessGate, judgeDependency } from "./dependencyCondition.ts"
import type { Dependency } from "./DependsOn.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import type { StartOutcome } from "./Outcomes.ts"

/*
 * The launcher's ordered start (`depends_on`). Every agent a start asks for gets an entry whose
 * outcome its dependents await; one without anything to wait for is started at once, the
 * others by a fiber of their own that waits for each dependency's condition (its timeout
 * counted from when the dependency itself started) and only then starts it. Nothing is held
 * while waiting: an agent's permit is taken only by the start itself (`startBatch`), and a
 * stop cancels a start still waiting (`cancel`, under that agent's permit), so a stop after a
 * start always wins. Starts that become due together are started as one batch (one look at the
 * process table, however many dependents one dependency released).
 */

/** The outcome, once known, of an agent one or more starts asked for. */
interface Entry {
  readonly outcome: Deferred.Deferred<StartOutcome>
}

export interface Scheduled {
  /** The targets' outcomes in their order, and those of the dependencies this start had to start (in start order). */
  readonly outcomes: Effect.Effect<{
    readonly targets: ReadonlyArray<StartOutcome>
    readonly dependencies: ReadonlyArray<StartOutcome>
  }>
}

export interface DependencyStarter {
  /**
   * Register starts of `targets` and of each dependency they need started (one not running,
   * and not already meeting its condition: a `completed` one that exited 0 stays as it is),
   * then return at once; `outcomes` waits for them. An agent already being started is not
   * started twice: its pending outcome is shared.
   */
  readonly schedule: (targets: ReadonlyArray<string>) => Effect.Effect<Scheduled>
  /** An agent started elsewhere (the boot launches without waiting): dependents scheduled later await `outcome`. */
  readonly track: (id: string, outcome: Deferred.Deferred<StartOutcome>) => Effect.Effect<void>
  /** A stop of `id` (the caller holds its permit): a start still waiting or queued is called off. */
  readonly cancel: (id: string) => Effect.Effect<void>
  /** Wait for `dependency` to meet `dep.condition`, up to `dep.timeout`; fails at once when it never will. */
  readonly awaitDependency: (dependency: string, dep: Dependency) => Effect.Effect<void, DependencyNotMet>
}

export interface DependencyStarterOptions {
  readonly store: AgentStore
  readonly fleet: Effect.Effect<LoadedFleet>
  /**
   * Take these agents' permits, then start those `isLive` still wants (a stop may have called
   * one off while the batch waited for its permit); answers for those only.
   */
  readonly startBatch: (
    ids: ReadonlyArray<string>,
    isLive: (id: string) => boolean
  ) => Effect.Effect<ReadonlyArray<StartOutcome>>
}

const isGated = (fleet: LoadedFleet, id: string) => {
  const spec = fleet.agents.get(id)
  return spec !== undefined && hasReadinessGate(spec)
}

const failedOutcome = (id: string, error: string): StartOutcome => ({ id, result: "failed", pid: null, error })

/** Running, or on its way (or unreadable, which is never a reason to start a second copy): not started again. */
const isUnderway = (s: AgentState) =>
  s.status._tag === "Running" || s.status._tag === "Starting" || s.status._tag === "Unknown"

export const makeDependencyStarter = (
  options: DependencyStarterOptions
): Effect.Effect<DependencyStarter, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { store } = options
    const scope = yield* Effect.scope
    const pending = new Map<string, Entry>()
    const gates = yield* FiberMap.make<string>()
    const due = yield* Queue.unbounded<readonly [string, Entry]>()

    const settle = (id: string, entry: Entry, outcome: StartOutcome) =>
      Effect.sync(() => {
        Deferred.doneUnsafe(entry.outcome, Effect.succeed(outcome))
        if (pending.get(id) === entry) pending.delete(id)
      })

    /** `entry`: the dependency's start, when one was pending as its dependent was scheduled. */
    const awaitDependency = (dependency: string, dep: Dependency, entry?: Entry) =>
      Effect.gen(function* () {
        if (entry !== undefined) {
          const started = yield* Deferred.await(entry.outcome)
          if (started.result === "failed") return yield* DependencyNotMet.didNotStart(dependency, started.error)
        }
        const gated = isGated(yield* options.fleet, dependency)
        const reached = yield* store
          .waitFor(dependency, (s) => judgeDependency(dep.condition, s, gated)._tag !== "Waiting")
          .pipe(Effect.timeoutOption(dep.timeout))
        if (reached._tag === "None") {
          return yield* DependencyNotMet.timedOut(dependency, dep.condition, dep.timeout, yield* store.get(dependency))
        }
        const judged = judgeDependency(dep.condition, reached.value, gated)
        if (judged._tag === "Failed") return yield* DependencyNotMet.failed(dependency, judged.reason)
      })

    const runBatch = (batch: ReadonlyArray<readonly [string, Entry]>) => {
      const entries = new Map(batch)
      const isLive = (id: string) => {
        const entry = entries.get(id)
        return entry !== undefined && pending.get(id) === entry && !Deferred.isDoneUnsafe(entry.outcome)
      }
      return options.startBatch([...entries.keys()], isLive).pipe(
        Effect.flatMap((outcomes) =>
          Effect.forEach(outcomes, (o) => settle(o.id, entries.get(o.id)!, o), { discard: true })
        ),
        // Whatever happened, no dependent may wait forever for one of these.
        Effect.ensuring(
          Effect.forEach(entries, ([id, entry]) => settle(id, entry, failedOutcome(id, "its start ended early")), {
            discard: true
          })
        )
      )
    }

    // Starts that became due together go as one batch; batches run side by side (one waiting for
    // a permit must not hold up the others).
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.gen(function* () {
          const first = yield* Queue.take(due)
          yield* Effect.yieldNow
          const rest = yield* Queue.clear(due)
          yield* Effect.forkIn(runBatch([first, ...rest]), scope)
        })
      )
    )

    const gate = (id: string, entry: Entry, waits: ReadonlyArray<readonly [string, Dependency, Entry | undefined]>) =>
      Effect.gen(function* () {
        yield* store.note(id, `waiting for ${waits.map(([d, dep]) => `${d} (${dep.condition})`).join(", ")}`)
        yield* Effect.forEach(waits, ([d, dep, e]) => awaitDependency(d, dep, e), {
          concurrency: "unbounded",
          discard: true
        })
        yield* Queue.offer(due, [id, entry])
        yield* Deferred.await(entry.outcome)
      }).pipe(
        Effect.catchTag("DependencyNotMet", (e) =>
          Effect.andThen(settle(id, entry, failedOutcome(id, e.message)), store.note(id, `not started: ${e.message}`))
        ),
        Effect.onInterrupt(() => settle(id, entry, failedOutcome(id, "stopped before it started")))
      )

    const schedule = (targets: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const fleet = yield* options.fleet
        const graph: DependencyGraph = dependencyGraph(fleet.agents.values())
        const states = yield* store.all
        // What the store says of an agent it has not seen yet.
        const stateOf = (id: string) => states.get(id) ?? idle({ _tag: "Stopped" })
        const needsStart = (id: string, condition: Dependency["condition"]) => {
          if (pending.has(id)) return false
          const s = stateOf(id)
          return !isUnderway(s) && judgeDependency(condition, s, isGated(fleet, id))._tag !== "Met"
        }
        // A target that runs already has nothing to wait for, nor anything to start for it.
        const notUnderway = (id: string) => !isUnderway(stateOf(id))
        const ids = [...new Set([...targets, ...dependencyClosure(graph, targets.filter(notUnderway), needsStart)])]
        const entries = new Map<string, Entry>()
        const fresh: Array<string> = []
        for (const id of ids) {
          const known = pending.get(id)
          if (known !== undefined) {
            entries.set(id, known)
            continue
          }
          const entry: Entry = { outcome: Deferred.makeUnsafe<StartOutcome>() }
          pending.set(id, entry)
          entries.set(id, entry)
          fresh.push(id)
        }
        const now: Array<readonly [string, Entry]> = []
        for (const id of fresh) {
          const entry = entries.get(id)!
          const deps = notUnderway(id) ? Object.entries(fleet.agents.get(id)?.config.depends_on ?? {}) : []
          const waits = deps.flatMap(([d, dep]): ReadonlyArray<readonly [string, Dependency, Entry | undefined]> => {
            const e = entries.get(d) ?? pending.get(d)
            if (e !== undefined) return [[d, dep, e]]
            const met = judgeDependency(dep.condition, stateOf(d), isGated(fleet, d))._tag === "Met"
            return met ? [] : [[d, dep, undefined]]
          })
          if (waits.length === 0) now.push([id, entry])
          else yield* FiberMap.run(gates, id, gate(id, entry, waits))
        }
        if (now.length > 0) yield* Queue.offerAll(due, now)
        const targetSet = new Set(targets)
        const started = startLevels(
          graph,
          fresh.filter((id) => !targetSet.has(id))
        ).flat()
        return {
          outcomes: Effect.gen(function* () {
            const targetOutcomes = yield* Effect.forEach(targets, (id) => Deferred.await(entries.get(id)!.outcome))
            const dependencies = yield* Effect.forEach(started, (id) => Deferred.await(entries.get(id)!.outcome))
            return { targets: targetOutcomes, dependencies: dependencies.filter((o) => o.result !== "already-running") }
          })
        } satisfies Scheduled
      })

    return {
      schedule,
      track: (id, outcome) =>
        Effect.gen(function* () {
          const entry: Entry = { outcome }
          pending.set(id, entry)
          yield* Effect.forkIn(
            Effect.andThen(
              Deferred.await(outcome),
              Effect.sync(() => {
                if (pending.get(id) === entry) pending.delete(id)
              })
            ),
            scope
          )
        }),
      cancel: (id) =>
        Effect.gen(function* () {
          const entry = pending.get(id)
          if (entry === undefined) return
          yield* settle(id, entry, failedOutcome(id, "stopped before it started"))
          yield* FiberMap.remove(gates, id)
        }),
      awaitDependency: (dependency, dep) => awaitDependency(dependency, dep)
    } satisfies DependencyStarter
  })
