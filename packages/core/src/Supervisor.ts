import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Result from "effect/Result"
import * as Semaphore from "effect/Semaphore"
import { readRecords, selectAgents, type StopPlan, stopPlans } from "./AgentProcesses.ts"
import type { AgentRow } from "./AgentRow.ts"
import { type AgentState, idle, makeAgentStore } from "./AgentStore.ts"
import type { AgentSpec } from "./AgentConfig.ts"
import { type ConfigEntry, entryId } from "./ConfigFile.ts"
import { Control, type Targets } from "./Control.ts"
import * as Daemonless from "./Daemonless.ts"
import { dependencyGraph, dependentsMap, startLevels, stopLevels } from "./dependencyGraph.ts"
import { makeDependencyStarter } from "./DependencyStarter.ts"
import { watchDependentRestarts } from "./dependentRestarts.ts"
import { Fleet } from "./Fleet.ts"
import { type LoadedFleet, loadFleet, requireAgent } from "./FleetLoader.ts"
import { indexSnapshot, type Instance, liveMembers, type SnapshotIndex } from "./Identity.ts"
import { carriedRestarts, type LauncherStopFacts, noteStop } from "./launcherHistory.ts"
import { invalidRow, type ResolvedAgent, resolveAll, rowFromStatus } from "./Listing.ts"
import type { KillOutcome, StartOutcome, StopOutcome } from "./Outcomes.ts"
import { planBoot } from "./planBoot.ts"
import { carryOut, defaultParallel, planned } from "./applyPlan.ts"
import { AgentNotFound } from "./Errors.ts"
import type { ApplyOptions, ApplyOutcome, ReloadOutcome } from "./Outcomes.ts"
import { type AgentFacts, planApply } from "./planApply.ts"
import { driftNow, type StartNow } from "./spawnDrift.ts"
import { startProblem, startsNow } from "./FleetDrift.ts"
import { Prober } from "./Prober.ts"
import { RunDir } from "./RunDir.ts"
import type { SignalName } from "./Signals.ts"
import { type Launch, superviseAgent, type SuperviseRequirements } from "./superviseAgent.ts"
import { startedAtMs } from "./usage.ts"
import { makeSessionRss } from "./watchMemory.ts"
import { fleetLogUsage } from "./fleetLogUsage.ts"
import { getOrCreate } from "./getOrCreate.ts"
import type { LogUsage } from "./LogUsage.ts"

/**
 * The launcher's Control: one fiber per agent in a FiberMap keyed by id (the Effect analogue of
 * the Go original's cancel map), each running `superviseAgent`; their states in one AgentStore,
 * so `ls` is a read of memory, not a scan of /proc. Every control action on an agent holds that
 * agent's permit (several agents' permits in id order), so a start and a stop of one agent never
 * interleave; an action that could find the agent running unknown to the launcher (start, stop)
 * asks the process table, so the store and the table cannot disagree for long.
 */

type Requirements = SuperviseRequirements

const adoptedAt = (index: SnapshotIndex, instance: Instance) =>
  startedAtMs({
    startTime: instance.startTime,
    ticksPerSecond: index.snapshot.ticksPerSecond,
    bootTimeMs: index.snapshot.bootTimeMs
  })

const isSupervisedRunning = (s: AgentState) =>
  s.status._tag === "Running" || s.status._tag === "Starting" || s.status._tag === "Unknown"

/** An agent the store has not seen yet (its config appeared since the boot) is what its config says. */
const rowOf = (
  spec: AgentSpec,
  states: ReadonlyMap<string, AgentState>,
  now: number,
  logs: ReadonlyMap<string, LogUsage>,
  starts: ReadonlyMap<string, StartNow>
): AgentRow => {
  const state =
    states.get(spec.config.agent.id) ?? idle(spec.config.agent.enabled ? { _tag: "Stopped" } : { _tag: "Disabled" })
  const start = starts.get(spec.config.agent.id)
  return rowFromStatus(spec, state.status, {
    restarts: state.restarts,
    error: null,
    supervisor: "launcher",
    now,
    logs: logs.get(spec.config.agent.id) ?? null,
    health: state.health,
    probes: state.probes,
    drift:
      state.instance === null || state.spawned === null || start === undefined ? null : driftNow(state.spawned, start)
  })
}

/**
 * A supervisor of `initial`, the fleet as the launcher read it when it took the fleet over (it
 * needs it before this, for the agents' logs; reading the files twice would be slower and could
 * see two different fleets).
 */
export const makeWith = Effect.fnUntraced(function* (initial: LoadedFleet) {
  const context = yield* Effect.context<Requirements>()
  const provide = <A, E>(effect: Effect.Effect<A, E, Requirements>) => Effect.provideContext(effect, context)
  const prober = yield* Prober
  const runDir = yield* RunDir
  const { root } = yield* Fleet
  const fleetRef = yield* Ref.make(initial)
  const store = yield* makeAgentStore
  // Restart counts survive the launcher: each agent's starts from its history file (at boot, or its first launch).
  const carryRestarts = carriedRestarts(store)
  const fibers = yield* FiberMap.make<string>()
  const shuttingDown = yield* Ref.make(false)
  const rss = yield* makeSessionRss
  const permits = new Map<string, Semaphore.Semaphore>()
  const permitOf = (id: string) => getOrCreate(permits, id, () => Semaphore.makeUnsafe(1))
  /** Hold every named agent's permit (taken in id order, so two bulk actions cannot deadlock). */
  const holding = <A, E, R>(ids: ReadonlyArray<string>, effect: Effect.Effect<A, E, R>) =>
    [...new Set(ids)].toSorted().reduceRight((inner, id) => permitOf(id).withPermits(1)(inner), effect)

  const launch = (id: string, how: Launch) =>
    Effect.andThen(
      provide(carryRestarts([id])),
      FiberMap.run(fibers, id, provide(superviseAgent(store, fleetRef, id, how, rss)))
    )

  /** The agents' records and one snapshot, resolved: what runs now, whatever the store believes. */
  const observe = (ids: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const fleet = yield* Ref.get(fleetRef)
      const records = yield* provide(readRecords(ids))
      const snapshot = yield* prober.snapshot
      const index = indexSnapshot(snapshot)
      const entries = ids.flatMap((id): Array<ConfigEntry> => {
        const spec = fleet.agents.get(id)
        return spec === undefined ? [] : [{ _tag: "Valid", spec }]
      })
      const resolved = new Map(
        resolveAll(root, entries, records, snapshot, index).map((r) => [r.entry.spec.config.agent.id, r])
      )
      return { fleet, index, resolved }
    })

  /** Start these agents; the caller holds their permits. */
  const startHeld = (ids: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<StartOutcome>> =>
    Effect.gen(function* () {
      if (yield* Ref.get(shuttingDown)) {
        return ids.map((id): StartOutcome => ({ id, result: "failed", pid: null, error: "the launcher is stopping" }))
      }
      const states = new Map<string, AgentState>()
      for (const id of ids) states.set(id, yield* store.get(id))
      const supervised = new Set<string>()
      for (const id of ids) if (yield* FiberMap.has(fibers, id)) supervised.add(id)
      const settled = (id: string) => supervised.has(id) && isSupervisedRunning(states.get(id)!)
      // Only agents the launcher does not watch running need a look at the process table.
      const unsettled = ids.filter((id) => !settled(id))
      const seen = unsettled.length === 0 ? null : yield* Effect.result(observe(unsettled))
      return yield* Effect.forEach(
        ids,
        Effect.fnUntraced(function* (id) {
          const state = states.get(id)!
          if (settled(id)) {
            return {
              id,
              result: "already-running",
              pid: state.instance?.pid ?? null,
              error: null
            } satisfies StartOutcome
          }
          if (seen !== null && seen._tag === "Failure") {
            return { id, result: "failed", pid: null, error: seen.failure.message } satisfies StartOutcome
          }
          // A manual start clears a give-up and any backoff: the user has looked at it.
          yield* FiberMap.remove(fibers, id)
          const found: ResolvedAgent | undefined = seen?.success.resolved.get(id)
          const primary = found?.resolution.primary ?? null
          if (primary !== null && seen !== null && seen._tag === "Success") {
            const spawned = found?.resolution.record === "ok" ? (found.record?.spawned ?? null) : null
            yield* launch(id, {
              _tag: "Adopt",
              instance: primary,
              startedAt: adoptedAt(seen.success.index, primary),
              spawned
            })
            return { id, result: "already-running", pid: primary.pid, error: null } satisfies StartOutcome
          }
          const spawned = yield* Deferred.make<StartOutcome>()
          yield* store.update(id, (s) => ({ ...idle({ _tag: "Starting", pid: null }), restarts: s.restarts }))
          yield* launch(id, { _tag: "Spawn", spawned })
          return yield* Deferred.await(spawned)
        }),
        { concurrency: 16 }
      )
    })

  /**
   * Stop these agents' processes: their fibers first (so an exit is not a crash), then signals;
   * the caller holds their permits.
   */
  const stopHeld = (ids: ReadonlyArray<string>, signalOverride: SignalName | null, timeoutMs?: number) =>
    Effect.gen(function* () {
      const before = new Map<string, AgentState>()
      for (const id of ids) {
        yield* starter.cancel(id)
        yield* FiberMap.remove(fibers, id)
        before.set(id, yield* store.get(id))
        yield* store.update(id, (s) => ({ ...s, status: { _tag: "Stopping", pid: s.instance?.pid ?? null } }))
      }
      const { fleet, index, resolved } = yield* observe(ids)
      const plans = ids.map((id): StopPlan => {
        const r = resolved.get(id)
        const found = r?.resolution.instances ?? []
        const mine = before.get(id)?.instance ?? null
        // The supervised instance too, should the snapshot not tie it to the agent (no record yet).
        const extra =
          mine !== null && !found.some((i) => i.pid === mine.pid) && liveMembers(index, mine).length > 0 ? [mine] : []
        const spec = fleet.agents.get(id)
        return {
          id,
          instances: [...found, ...extra],
          signal: signalOverride ?? spec?.config.run.stop_signal ?? "SIGTERM",
          timeoutMs: signalOverride !== null ? 0 : (timeoutMs ?? spec?.config.run.stop_timeout ?? 5000),
          staleRecord: r?.resolution.record === "stale"
        }
      })
      const { outcomes, survivors, endedAt } = yield* provide(stopPlans(plans, index, { removeRecords: true }))
      const stops: Array<LauncherStopFacts> = []
      const results = yield* Effect.forEach(outcomes, (o) =>
        Effect.gen(function* () {
          const enabled = fleet.agents.get(o.id)?.config.agent.enabled ?? true
          const left = survivors.get(o.id) ?? []
          const after = yield* store.update(
            o.id,
            (s) => ({
              ...idle(
                left.length > 0
                  ? { _tag: "Unknown", pid: left[0]!, error: `pid ${left.join(", ")} outlived SIGKILL` }
                  : enabled
                    ? { _tag: "Stopped" }
                    : { _tag: "Disabled" }
              ),
              restarts: s.restarts
            }),
            left.length > 0 ? `pid ${left.join(", ")} still alive after SIGKILL` : undefined
          )
          if (o.result === "stopped") {
            stops.push({
              before: before.get(o.id)!,
              plan: plans.find((p) => p.id === o.id)!,
              outcome: o,
              requested: signalOverride === "SIGKILL" ? "kill" : "stop",
              snapshot: index.snapshot,
              endedAt: endedAt.get(o.id) ?? null,
              restarts: after.restarts
            })
          }
          const was = before.get(o.id)?.status
          // Waiting to restart: a backoff, or a give-up's cool-down.
          const waiting = was?._tag === "Backoff" || (was?._tag === "GaveUp" && was.retryAt !== null)
          const cancelled = o.result === "not-running" && waiting
          return cancelled ? ({ ...o, result: "restart-cancelled" } satisfies StopOutcome) : o
        })
      )
      // One small file per agent, written at once: a stop --all pays for one, not for every agent.
      yield* Effect.forEach(stops, (stop) => noteStop(store, stop), { concurrency: 16, discard: true }).pipe(provide)
      return results
    })

  // depends_on: ordered starts (DependencyStarter.ts) and stops (dependents first, a level at a time).
  const starter = yield* makeDependencyStarter({
    store,
    fleet: Ref.get(fleetRef),
    startBatch: (ids, isLive) =>
      holding(
        ids,
        Effect.suspend(() => startHeld(ids.filter(isLive)))
      )
  })
  /** Start these agents and the dependencies they need; dependencies started on the way are answered for first. */
  const startAgents = (ids: ReadonlyArray<string>) =>
    Effect.flatMap(starter.schedule(ids), (s) =>
      Effect.map(s.outcomes, ({ targets, dependencies }) => [...dependencies, ...targets])
    )
  const stopAgents = (ids: ReadonlyArray<string>, signalOverride: SignalName | null, timeoutMs?: number) =>
    holding(ids, stopHeld(ids, signalOverride, timeoutMs))
  /** Dependents before their dependencies, each level at once; the caller holds the permits. Answers in `ids` order. */
  const stopHeldInOrder = (ids: ReadonlyArray<string>, signalOverride: SignalName | null, timeoutMs?: number) =>
    Effect.gen(function* () {
      const levels = stopLevels(dependencyGraph((yield* Ref.get(fleetRef)).agents.values()), ids)
      const outcomes = new Map<string, StopOutcome>()
      for (const level of levels) {
        for (const o of yield* stopHeld(level, signalOverride, timeoutMs)) outcomes.set(o.id, o)
      }
      return ids.flatMap((id) => {
        const o = outcomes.get(id)
        return o === undefined ? [] : [o]
      })
    })
  const stopAgentsInOrder = (ids: ReadonlyArray<string>, timeoutMs?: number) =>
    holding(ids, stopHeldInOrder(ids, null, timeoutMs))

  /** A dependent with `restart: true` whose dependency restarted, if it still runs the instance that saw it restart. */
  const restartDependent = (id: string, instance: Instance, reason: string) =>
    holding(
      [id],
      Effect.gen(function* () {
        const current = (yield* store.get(id)).instance
        // Restarted or stopped meanwhile: whoever did it has had its say.
        if (current === null || current.pid !== instance.pid || current.startTime !== instance.startTime) return
        yield* store.note(id, reason)
        yield* stopHeld([id], null)
        yield* startHeld([id])
      }).pipe(Effect.catch((e) => store.note(id, `could not restart it: ${e.message}`)))
    )
  yield* watchDependentRestarts({
    store,
    fleet: Ref.get(fleetRef),
    since: yield* Clock.currentTimeMillis,
    awaitDependency: starter.awaitDependency,
    restart: restartDependent
  })

  const targetIds = (targets: Targets, allMeansEnabled: boolean) =>
    Effect.flatMap(Ref.get(fleetRef), (fleet) =>
      Effect.map(selectAgents(fleet, targets, allMeansEnabled), (specs) => specs.map((s) => s.config.agent.id))
    )

  /**
   * What a start of each agent that runs would run now, from the files as they are (not as the
   * launcher last read them): drift is against the files. Files that cannot be read make every
   * one of them `Invalid`, naming the file, rather than the listing fail.
   */
  const startsOf = (states: ReadonlyMap<string, AgentState>, only?: string, loaded?: LoadedFleet) =>
    Effect.gen(function* () {
      const ids = [...states].flatMap(([id, s]) =>
        s.instance !== null && s.spawned !== null && (only === undefined || id === only) ? [id] : []
      )
      if (ids.length === 0) return new Map<string, StartNow>()
      const files = loaded === undefined ? yield* Effect.result(provide(loadFleet())) : Result.succeed(loaded)
      if (files._tag === "Success") return yield* provide(startsNow(files.success, ids))
      const invalid = startProblem(files.failure)
      return new Map(ids.map((id) => [id, invalid] as const))
    })

  const rows = Effect.gen(function* () {
    const fleet = yield* Ref.get(fleetRef)
    const states = yield* store.all
    const now = yield* Clock.currentTimeMillis
    const logs = yield* provide(fleetLogUsage(fleet, fleet.agents.values()))
    const starts = yield* startsOf(states)
    return fleet.entries.map((entry): AgentRow =>
      entry._tag === "Invalid" ? invalidRow(entry, "launcher", now) : rowOf(entry.spec, states, now, logs, starts)
    )
  })

  const supervisedIds = Effect.gen(function* () {
    const fleet = yield* Ref.get(fleetRef)
    const ids = new Set<string>()
    for (const id of fleet.agents.keys()) if (yield* FiberMap.has(fibers, id)) ids.add(id)
    return ids
  })

  /**
   * `apply` (planApply.ts) against the files as they are now: the new fleet becomes the one
   * supervised (so a disabled agent shows as disabled once stopped), then removed and disabled
   * agents are stopped, drifted ones restarted in waves, and new or enabled ones started.
   */
  const apply = (options: ApplyOptions) =>
    Effect.gen(function* () {
      const before = yield* Ref.get(fleetRef)
      const after = yield* provide(loadFleet())
      const known = (id: string) => before.agents.has(id) || after.entries.some((e) => entryId(e) === id)
      for (const id of options.ids ?? []) {
        if (!known(id)) return yield* AgentNotFound.forId(id, [...after.agents.keys()])
      }
      const states = yield* store.all
      const supervised = yield* supervisedIds
      const starts = yield* startsOf(states, undefined, after)
      const everyId = new Set([...before.agents.keys(), ...after.entries.flatMap((e) => entryId(e) ?? [])])
      const facts = [...everyId].map((id): AgentFacts => {
        const state = states.get(id)
        const spec = after.agents.get(id)
        const broken = after.entries.some((e) => e._tag === "Invalid" && e.id === id)
        const start = starts.get(id)
        const was = before.agents.get(id)
        return {
          id,
          fresh: was === undefined || !was.config.agent.enabled,
          config: spec !== undefined ? "valid" : broken ? "invalid" : "removed",
          enabled: spec?.config.agent.enabled ?? false,
          // Waiting to restart (a backoff) is the launcher's business: not a start for apply to make.
          running: (state?.instance ?? null) !== null || supervised.has(id),
          drift:
            state?.instance == null || state.spawned === null || start === undefined
              ? null
              : driftNow(state.spawned, start)
        }
      })
      const plan = planApply(facts, options.ids)
      if (options.dry_run === true) return planned(plan)
      yield* Ref.set(fleetRef, after)
      return yield* carryOut(
        plan,
        {
          stop: (ids) => stopAgents(ids, null),
          restart: (wave) =>
            holding(
              wave,
              Effect.gen(function* () {
                const stopOutcomes = yield* stopHeld(wave, null)
                const started = new Map((yield* startHeld(wave)).map((o) => [o.id, o] as const))
                return stopOutcomes.map((stop) => ({ stop, start: started.get(stop.id)! }))
              })
            ),
          start: startAgents
        },
        {
          parallel: options.parallel ?? defaultParallel,
          order: startLevels(dependencyGraph(after.agents.values()), [...after.agents.keys()])
        }
      )
    })

  /** `reload`, kept for scripts written before `apply`: the same plan, told in its older shape. */
  const reload = Effect.gen(function* () {
    const outcomes = yield* apply({})
    const files = yield* Ref.get(fleetRef)
    const by = (action: ApplyOutcome["action"]) => outcomes.filter((o) => o.action === action).map((o) => o.id)
    return {
      started: by("start"),
      stopped: by("stop"),
      restarted: by("restart"),
      unchanged: by("none"),
      invalid: files.entries.flatMap((e) => (e._tag === "Invalid" ? [{ file: e.file, error: e.error }] : []))
    } satisfies ReloadOutcome
  })

  /**
   * Take the fleet over: adopt what still runs (never a second copy), start the rest per policy.
   * Holds every agent's permit, so a request that arrives meanwhile waits for the outcome. An
   * agent with `depends_on` is not started here but scheduled, under those permits, to start
   * once its dependencies are up: the boot does not wait for that (the launcher's socket opens
   * after the boot), and a stop from then on calls it off.
   */
  const boot = Effect.gen(function* () {
    const fleet = yield* Ref.get(fleetRef)
    const ids = [...fleet.agents.keys()]
    yield* provide(carryRestarts(ids))
    const dependents = dependentsMap(dependencyGraph(fleet.agents.values()))
    const waiting: Array<string> = []
    yield* holding(
      ids,
      Effect.gen(function* () {
        const records = yield* provide(readRecords(ids))
        const snapshot = yield* prober.snapshot
        const index = indexSnapshot(snapshot)
        const resolved = resolveAll(root, fleet.entries, records, snapshot, index)
        const duplicates: Array<StopPlan> = []
        for (const action of planBoot(resolved, snapshot)) {
          const { id } = action
          switch (action._tag) {
            case "Adopt": {
              if (action.repairRecord) {
                const record = {
                  pid: action.instance.pid,
                  startTime: action.instance.startTime,
                  bootId: snapshot.bootId,
                  startedAt: yield* Clock.currentTimeMillis
                }
                yield* runDir
                  .writePidRecord(id, record)
                  .pipe(Effect.catch((e) => store.note(id, `could not repair its pid record: ${e.message}`)))
              }
              if (action.duplicates.length > 0) {
                const spec = fleet.agents.get(id)!
                duplicates.push({
                  id,
                  instances: action.duplicates,
                  signal: spec.config.run.stop_signal,
                  timeoutMs: spec.config.run.stop_timeout,
                  staleRecord: false,
                  keep: [action.instance]
                })
              }
              yield* launch(id, {
                _tag: "Adopt",
                instance: action.instance,
                startedAt: action.startedAt,
                spawned: action.spawned ?? null
              })
              break
            }
            case "Start": {
              if (Object.keys(fleet.agents.get(id)!.config.depends_on).length > 0) {
                waiting.push(id)
                break
              }
              // What depends on it awaits the outcome of this spawn.
              const spawned = dependents.has(id) ? yield* Deferred.make<StartOutcome>() : null
              if (spawned !== null) yield* starter.track(id, spawned)
              yield* launch(id, { _tag: "Spawn", spawned })
              break
            }
            case "Exited":
              yield* store.update(id, (s) => ({
                ...idle({
                  _tag: "Exited",
                  pid: action.pid,
                  exit: { code: null, signal: null, at: null },
                  recycled: action.recycled
                }),
                restarts: s.restarts
              }))
              break
            case "Disabled":
              yield* store.update(id, (s) => ({ ...idle({ _tag: "Disabled" }), restarts: s.restarts }))
              break
          }
        }
        if (duplicates.length > 0) yield* stopDuplicates(duplicates, index)
        if (waiting.length > 0) yield* starter.schedule(waiting)
      })
    )
  })

  /** Instances found at boot beside the adopted one (started by hand while no launcher ran): the adopted one stays. */
  const stopDuplicates = (plans: ReadonlyArray<StopPlan>, index: SnapshotIndex) =>
    Effect.gen(function* () {
      for (const p of plans) {
        yield* store.note(
          p.id,
          `stopping ${p.instances.length} duplicate instance(s): pid ${p.instances.map((i) => i.pid).join(", ")}`
        )
      }
      // The adopted instance keeps its pid record.
      const { outcomes } = yield* provide(stopPlans(plans, index, { removeRecords: false }))
      for (const o of outcomes) yield* store.note(o.id, `stopped its duplicates: pid ${o.pids.join(", ")}`)
    }).pipe(
      Effect.catch((e) =>
        Effect.forEach(plans, (p) => store.note(p.id, `could not stop its duplicates: ${e.message}`), { discard: true })
      )
    )

  const control = Control.of({
    supervisor: "launcher",
    list: rows,
    status: (id) =>
      Effect.gen(function* () {
        const fleet = yield* Ref.get(fleetRef)
        const spec = yield* requireAgent(fleet, id)
        const logs = yield* provide(fleetLogUsage(fleet, [spec]))
        const states = yield* store.all
        return rowOf(spec, states, yield* Clock.currentTimeMillis, logs, yield* startsOf(states, id))
      }),
    history: (id) =>
      Effect.gen(function* () {
        yield* requireAgent(yield* Ref.get(fleetRef), id)
        const history = yield* runDir.readHistory(id)
        // The count `ls` shows: the file's too, unless writing it failed (an event said so).
        return { ...history, restarts: (yield* store.get(id)).restarts }
      }),
    start: (targets) => Effect.flatMap(targetIds(targets, true), startAgents),
    // `stop <id>` stops what it names, and nothing else, in no order: stopping a dependency leaves its dependents be.
    stop: (targets, timeoutMs) =>
      Effect.flatMap(targetIds(targets, false), (ids) =>
        targets._tag === "All" ? stopAgentsInOrder(ids, timeoutMs) : stopAgents(ids, null, timeoutMs)
      ),
    restart: (targets, timeoutMs) =>
      Effect.gen(function* () {
        const ids = yield* targetIds(targets, true)
        // The starts are scheduled before the permits go: a stop that comes after calls them off.
        const { stopped, scheduled } = yield* holding(
          ids,
          Effect.gen(function* () {
            const outcomes =
              targets._tag === "All"
                ? yield* stopHeldInOrder(ids, null, timeoutMs)
                : yield* stopHeld(ids, null, timeoutMs)
            return { stopped: outcomes, scheduled: yield* starter.schedule(ids) }
          })
        )
        const started = (yield* scheduled.outcomes).targets
        return stopped.map((stop, i) => ({ stop, start: started[i]! }))
      }),
    kill: (targets) =>
      Effect.gen(function* () {
        const ids = yield* targetIds(targets, false)
        const out = yield* stopAgents(ids, "SIGKILL")
        return out.map((o): KillOutcome => ({
          id: o.id,
          result: o.result === "stopped" ? "killed" : "not-running",
          pids: o.pids
        }))
      }),
    setEnabled: (id, enabled) =>
      holding(
        [id],
        Effect.gen(function* () {
          const out = yield* provide(Daemonless.setEnabled(id, enabled))
          yield* Ref.set(fleetRef, yield* provide(loadFleet()))
          return out
        })
      ),
    reload,
    apply,
    events: store.events
  })

  /**
   * Graceful launcher stop: no new starts, then every agent, dependents before their dependencies,
   * each level at once, each agent with its own signal and timeout.
   */
  const stopAll = (timeoutMs?: number) =>
    Effect.andThen(
      Ref.set(shuttingDown, true),
      Effect.flatMap(targetIds({ _tag: "All" }, false), (ids) => stopAgentsInOrder(ids, timeoutMs))
    )
  /** `boot` takes the fleet over (adopt or start); separate so a caller can subscribe to events first. */
  // `store`: for tests, which play the health engine's part (health is not theirs to fake otherwise).
  // `fleet`: the fleet as last read (boot, reload, enable), for the launcher's log settings.
  return { control, boot, stopAll, store, fleet: Ref.get(fleetRef) }
})

/** A supervisor of the fleet as its files say now. */
export const make = Effect.flatMap(loadFleet(), makeWith)

export const layer = Layer.effect(
  Control,
  Effect.flatMap(make, (s) => Effect.as(s.boot, s.control))
)
