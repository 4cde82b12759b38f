import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
import * as Layer from "effect/Layer"
import * as Path from "effect/Path"
import * as PubSub from "effect/PubSub"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import type { AgentEvent } from "./AgentEvent.ts"
import type { AgentRow } from "./AgentRow.ts"
import type { ConfigEntry } from "./ConfigFile.ts"
import { ConfigSource } from "./ConfigSource.ts"
import { Control, type Targets } from "./Control.ts"
import * as Daemonless from "./Daemonless.ts"
import { Fleet } from "./Fleet.ts"
import { type LoadedFleet, loadFleet, requireAgent } from "./FleetLoader.ts"
import { indexSnapshot, type Instance, instancesGone } from "./Identity.ts"
import { invalidRow, resolveAll, rowFromStatus } from "./Listing.ts"
import type { KillOutcome, ReloadOutcome, StartOutcome } from "./Outcomes.ts"
import { Prober } from "./Prober.ts"
import { decideRestart } from "./restartPolicy.ts"
import { startedAtMs } from "./usage.ts"
import { RunDir } from "./RunDir.ts"
import { Signals } from "./Signals.ts"
import { Spawner } from "./Spawner.ts"
import type { ExitInfo, Status } from "./Status.ts"
import { statusName, statusReason } from "./statusText.ts"

/**
 * The launcher's Control: one fiber per agent in a FiberMap keyed by id (the Effect analogue of
 * the Go original's cancel map). Each fiber starts its agent (or adopts a live one), waits for it
 * to exit and applies the restart policy; stop/kill/restart of one agent interrupt only its
 * fiber. State lives in memory, so `ls` is a read of a map, not a scan of /proc.
 */

interface AgentState {
  readonly status: Status
  readonly restarts: number
  /** The process being supervised, for stop/kill; null when none runs. */
  readonly instance: Instance | null
  /** Times of exits that led to restarts, for the give-up window. */
  readonly failures: ReadonlyArray<number>
  readonly attempt: number
}

const idle = (status: Status): AgentState => ({ status, restarts: 0, instance: null, failures: [], attempt: 0 })

/** How often an adopted agent (not our child: no exit event) is checked for life. */
export const adoptedPollMs = 250

type Requirements = Prober | Signals | Spawner | RunDir | ConfigSource | Path.Path | Fleet

export const make = Effect.gen(function* () {
  const context = yield* Effect.context<Requirements>()
  const provide = <A, E>(effect: Effect.Effect<A, E, Requirements>) => Effect.provideContext(effect, context)
  const prober = yield* Prober
  const runDir = yield* RunDir
  const fleetRef = yield* Ref.make<LoadedFleet>(yield* provide(loadFleet()))
  const states = yield* Ref.make<ReadonlyMap<string, AgentState>>(new Map())
  const fibers = yield* FiberMap.make<string>()
  const events = yield* PubSub.unbounded<AgentEvent>()
  const seq = yield* Ref.make(0)
  const locks = new Map<string, Semaphore.Semaphore>()
  const lockFor = (id: string) => {
    let lock = locks.get(id)
    if (lock === undefined) {
      lock = Semaphore.makeUnsafe(1)
      locks.set(id, lock)
    }
    return lock
  }
  /** One control action per agent at a time; the supervising fiber itself never takes the lock. */
  const serialized = <A, E, R>(id: string, effect: Effect.Effect<A, E, R>) => lockFor(id).withPermits(1)(effect)

  const getState = (id: string) => Effect.map(Ref.get(states), (m) => m.get(id) ?? idle({ _tag: "Stopped" }))

  const setState = (id: string, f: (s: AgentState) => AgentState, message?: string) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const before = yield* getState(id)
      const after = f(before)
      yield* Ref.update(states, (m) => new Map(m).set(id, after))
      if (before.status._tag === after.status._tag && message === undefined) return
      const event: AgentEvent = {
        seq: yield* Ref.updateAndGet(seq, (n) => n + 1),
        at: now,
        id,
        status: statusName(after.status),
        detail: after.status,
        message: message ?? statusReason(after.status, now)
      }
      yield* PubSub.publish(events, event)
    })

  const specOf = (id: string) => Effect.map(Ref.get(fleetRef), (f) => f.agents.get(id))

  /** Wait for a process we did not start (adopted): poll until its session is gone. */
  const awaitGone = (instance: Instance) =>
    Effect.gen(function* () {
      for (;;) {
        yield* Effect.sleep(adoptedPollMs)
        const usage = yield* prober.usage(instance.pid).pipe(Effect.orElseSucceed(() => null))
        if (usage === null || usage.startTime !== instance.startTime) {
          const at = yield* Clock.currentTimeMillis
          return { code: null, signal: null, at } satisfies ExitInfo
        }
      }
    })

  /**
   * Supervise one agent until its policy says stop: start it (or watch the adopted instance),
   * wait for it to exit, decide, back off, repeat.
   */
  const supervise = (
    id: string,
    adopted: Instance | null,
    adoptedStartedAt: number | null = null
  ): Effect.Effect<void> =>
    Effect.gen(function* () {
      let adopt = adopted
      for (;;) {
        const spec = yield* specOf(id)
        if (spec === undefined) return
        const fleet = yield* Ref.get(fleetRef)
        let wait: Effect.Effect<ExitInfo>
        let startedAt: number
        if (adopt !== null) {
          const instance = adopt
          startedAt = yield* Clock.currentTimeMillis
          wait = awaitGone(instance)
          yield* setState(
            id,
            (s) => ({
              ...s,
              instance,
              status: { _tag: "Running", pid: instance.pid, instances: 1, startedAt: adoptedStartedAt }
            }),
            `adopted pid ${instance.pid} (still running from before this launcher)`
          )
          adopt = null
        } else {
          yield* setState(id, (s) => ({ ...s, status: { _tag: "Starting", pid: null } }))
          // Spawning and recording must not be cut in half by an interrupt: a process we started
          // but did not record would run unsupervised.
          const spawned = yield* Effect.uninterruptible(
            provide(Daemonless.spawnAgent(fleet, spec)).pipe(
              Effect.tap((s) =>
                setState(id, (st) => ({
                  ...st,
                  instance: { pid: s.pid, startTime: s.startTime ?? -1, pids: [s.pid] },
                  status: { _tag: "Running", pid: s.pid, instances: 1, startedAt: s.startedAt }
                }))
              ),
              Effect.result
            )
          )
          if (spawned._tag === "Failure") {
            const at = yield* Clock.currentTimeMillis
            startedAt = at
            wait = Effect.succeed({ code: 127, signal: null, at })
            yield* setState(id, (s) => s, `failed to start: ${spawned.failure.message}`)
          } else {
            startedAt = spawned.success.startedAt
            wait = spawned.success.exit
          }
        }
        const exit = yield* wait
        const now = yield* Clock.currentTimeMillis
        const state = yield* getState(id)
        const decision = decideRestart({
          policy: spec.config.run.restart,
          settings: fleet.settings.restart,
          exit,
          ranMs: now - startedAt,
          attempt: state.attempt,
          failures: state.failures,
          now,
          random01: yield* Random.next
        })
        yield* runDir.removePidRecord(id).pipe(Effect.ignore)
        if (decision._tag === "Exit") {
          yield* setState(id, (s) => ({
            ...s,
            instance: null,
            status: { _tag: "Exited", pid: s.instance?.pid ?? null, exit, recycled: false }
          }))
          return
        }
        if (decision._tag === "GiveUp") {
          yield* setState(id, (s) => ({
            ...s,
            instance: null,
            failures: decision.failures,
            status: {
              _tag: "GaveUp",
              failures: decision.failures.length,
              windowMs: fleet.settings.restart.failure_window,
              at: now,
              exit
            }
          }))
          return
        }
        yield* setState(id, (s) => ({
          ...s,
          instance: null,
          failures: decision.failures,
          attempt: decision.attempt,
          status: { _tag: "Backoff", attempt: decision.attempt, nextAttemptAt: now + decision.delayMs, exit }
        }))
        if (decision.delayMs > 0) yield* Effect.sleep(decision.delayMs)
        yield* setState(id, (s) => ({ ...s, restarts: s.restarts + 1 }))
      }
    }).pipe(Effect.orDie) as Effect.Effect<void>

  const launch = (id: string, adopted: Instance | null, adoptedStartedAt: number | null = null) =>
    FiberMap.run(fibers, id, supervise(id, adopted, adoptedStartedAt))

  /** Stop the processes of these agents: their fibers first (so an exit is not a crash), then signals. */
  const stopAgents = (ids: ReadonlyArray<string>, signalOverride: "SIGKILL" | null, timeoutMs?: number) =>
    Effect.gen(function* () {
      const fleet = yield* Ref.get(fleetRef)
      for (const id of ids) {
        yield* FiberMap.remove(fibers, id)
        yield* setState(id, (s) => ({ ...s, status: { _tag: "Stopping", pid: s.instance?.pid ?? null } }))
      }
      // Fresh evidence: the supervised instance plus any stray copy carrying the marker.
      const records = yield* provide(Daemonless.readRecords(ids))
      const snapshot = yield* prober.snapshot
      const index = indexSnapshot(snapshot)
      const entries = ids.flatMap((id): Array<ConfigEntry> => {
        const spec = fleet.agents.get(id)
        return spec === undefined ? [] : [{ _tag: "Valid", spec }]
      })
      const resolved = resolveAll(fleet.root, entries, records, snapshot, index)
      const plans = yield* Effect.forEach(ids, (id) =>
        Effect.map(getState(id), (state): Daemonless.StopPlan => {
          const r = resolved.find((a) => a.entry.spec.config.agent.id === id)
          const found = r?.resolution.instances ?? []
          const supervised =
            state.instance !== null &&
            !found.some((i) => i.pid === state.instance!.pid) &&
            !instancesGone(index, [state.instance])
              ? [state.instance]
              : []
          const spec = fleet.agents.get(id)
          return {
            id,
            instances: [...found, ...supervised],
            signal: signalOverride ?? spec?.config.run.stop_signal ?? "SIGTERM",
            timeoutMs: signalOverride !== null ? 0 : (timeoutMs ?? spec?.config.run.stop_timeout ?? 5000),
            staleRecord: r?.resolution.record === "stale"
          }
        })
      )
      const outcomes = yield* provide(Daemonless.stopPlans(plans, index))
      for (const id of ids) {
        const enabled = fleet.agents.get(id)?.config.agent.enabled ?? true
        yield* setState(id, (s) => ({
          ...idle(enabled ? { _tag: "Stopped" } : { _tag: "Disabled" }),
          restarts: s.restarts
        }))
      }
      return outcomes
    })

  const targetIds = (targets: Targets, onlyEnabled: boolean) =>
    Effect.flatMap(Ref.get(fleetRef), (fleet) =>
      Effect.map(Daemonless.selectAgents(fleet, targets, onlyEnabled), (specs) => specs.map((s) => s.config.agent.id))
    )

  const startOne = (id: string): Effect.Effect<StartOutcome> =>
    serialized(
      id,
      Effect.gen(function* () {
        const state = yield* getState(id)
        const fiberRunning = yield* FiberMap.has(fibers, id)
        if (fiberRunning && (state.status._tag === "Running" || state.status._tag === "Starting")) {
          return { id, result: "already-running", pid: state.instance?.pid ?? 0, error: null } satisfies StartOutcome
        }
        // A manual start clears a give-up and any backoff: the user has looked at it.
        yield* FiberMap.remove(fibers, id)
        yield* setState(id, (s) => ({ ...idle({ _tag: "Starting", pid: null }), restarts: s.restarts }))
        yield* launch(id, null)
        // Report the pid once the fiber has spawned (or failed to).
        for (;;) {
          const s = yield* getState(id)
          if (s.status._tag === "Running")
            return { id, result: "started", pid: s.status.pid, error: null } satisfies StartOutcome
          if (s.status._tag !== "Starting") {
            return {
              id,
              result: "failed",
              pid: null,
              error: statusReason(s.status, yield* Clock.currentTimeMillis)
            } satisfies StartOutcome
          }
          yield* Effect.sleep(5)
        }
      })
    )

  const rows = Effect.gen(function* () {
    const fleet = yield* Ref.get(fleetRef)
    const map = yield* Ref.get(states)
    const now = yield* Clock.currentTimeMillis
    return fleet.entries.map((entry): AgentRow => {
      if (entry._tag === "Invalid") return invalidRow(entry, "launcher", now)
      const state =
        map.get(entry.spec.config.agent.id) ??
        idle(entry.spec.config.agent.enabled ? { _tag: "Stopped" } : { _tag: "Disabled" })
      return rowFromStatus(entry, state.status, { restarts: state.restarts, error: null, supervisor: "launcher", now })
    })
  })

  const reload = Effect.gen(function* () {
    const before = yield* Ref.get(fleetRef)
    const after = yield* provide(loadFleet())
    yield* Ref.set(fleetRef, after)
    const outcome = {
      started: [] as Array<string>,
      stopped: [] as Array<string>,
      restarted: [] as Array<string>,
      unchanged: [] as Array<string>
    }
    const toStop: Array<string> = []
    for (const id of before.agents.keys()) {
      const now = after.agents.get(id)
      const brokenNow = after.entries.some((e) => e._tag === "Invalid" && e.id === id)
      if (brokenNow) continue // keep what runs; the invalid config is reported
      if (now === undefined || !now.config.agent.enabled) {
        if (yield* FiberMap.has(fibers, id)) toStop.push(id)
        else outcome.unchanged.push(id)
      }
    }
    if (toStop.length > 0) yield* stopAgents(toStop, null)
    outcome.stopped.push(...toStop)
    for (const [id, spec] of after.agents) {
      if (!spec.config.agent.enabled) continue
      const old = before.agents.get(id)
      const running = yield* FiberMap.has(fibers, id)
      if (old !== undefined && running && JSON.stringify(old.config) !== JSON.stringify(spec.config)) {
        yield* serialized(id, stopAgents([id], null))
        yield* startOne(id)
        outcome.restarted.push(id)
      } else if (!running && (old === undefined || !old.config.agent.enabled)) {
        yield* startOne(id)
        outcome.started.push(id)
      } else outcome.unchanged.push(id)
    }
    const invalid = after.entries.flatMap((e) => (e._tag === "Invalid" ? [{ file: e.file, error: e.error }] : []))
    return { ...outcome, invalid } satisfies ReloadOutcome
  })

  /** Take over the fleet: adopt what still runs (never a second copy), start the rest per policy. */
  const boot = Effect.gen(function* () {
    const fleet = yield* Ref.get(fleetRef)
    const records = yield* provide(Daemonless.readRecords(fleet.agents.keys()))
    const snapshot = yield* prober.snapshot
    const resolved = resolveAll(fleet.root, fleet.entries, records, snapshot)
    const extras: Array<Daemonless.StopPlan> = []
    for (const a of resolved) {
      const id = a.entry.spec.config.agent.id
      const { primary, instances } = a.resolution
      if (primary !== null) {
        if (instances.length > 1) {
          extras.push({
            id,
            instances: instances.filter((i) => i !== primary),
            signal: a.entry.spec.config.run.stop_signal,
            timeoutMs: a.entry.spec.config.run.stop_timeout,
            staleRecord: false
          })
        }
        if (a.resolution.repair) {
          yield* runDir.writePidRecord(id, {
            pid: primary.pid,
            startTime: primary.startTime,
            bootId: snapshot.bootId,
            startedAt: yield* Clock.currentTimeMillis
          })
        }
        const { ticksPerSecond, bootTimeMs } = snapshot
        yield* launch(id, primary, startedAtMs({ startTime: primary.startTime, ticksPerSecond, bootTimeMs }))
      } else if (a.entry.spec.config.agent.enabled) {
        const diedUnsupervised = a.resolution.record === "stale" && a.entry.spec.config.run.restart === "never"
        if (diedUnsupervised) {
          yield* setState(id, () =>
            idle({
              _tag: "Exited",
              pid: a.record?.pid ?? null,
              exit: { code: null, signal: null, at: null },
              recycled: a.resolution.recycled
            })
          )
        } else yield* launch(id, null)
      } else yield* setState(id, () => idle({ _tag: "Disabled" }))
    }
    if (extras.length > 0) {
      // Duplicates found at boot (e.g. started by hand while no launcher ran): keep the oldest.
      yield* provide(
        Daemonless.stopPlans(
          extras.map((p) => ({ ...p })),
          indexSnapshot(snapshot)
        )
      ).pipe(Effect.ignore)
    }
  })

  const control = Control.of({
    supervisor: "launcher",
    list: rows,
    status: (id) =>
      Effect.gen(function* () {
        yield* requireAgent(yield* Ref.get(fleetRef), id)
        const all = yield* rows
        return all.find((r) => r.id === id && r.status !== "invalid")!
      }),
    start: (targets) =>
      Effect.flatMap(targetIds(targets, targets._tag === "All"), (ids) =>
        Effect.forEach(ids, startOne, { concurrency: 16 })
      ),
    stop: (targets, timeoutMs) => Effect.flatMap(targetIds(targets, false), (ids) => stopAgents(ids, null, timeoutMs)),
    restart: (targets, timeoutMs) =>
      Effect.gen(function* () {
        const ids = yield* targetIds(targets, targets._tag === "All")
        const stopped = yield* stopAgents(ids, null, timeoutMs)
        const started = yield* Effect.forEach(ids, startOne, { concurrency: 16 })
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
      Effect.gen(function* () {
        const out = yield* provide(Daemonless.setEnabled(id, enabled))
        yield* Ref.set(fleetRef, yield* provide(loadFleet()))
        return out
      }),
    reload,
    events: Stream.fromPubSub(events)
  })
  /** Graceful launcher stop: every agent at once, each with its own signal and timeout. */
  const stopAll = (timeoutMs?: number) =>
    Effect.flatMap(targetIds({ _tag: "All" }, false), (ids) => stopAgents(ids, null, timeoutMs))
  /** `boot` takes the fleet over (adopt or start); separate so a caller can subscribe to events first. */
  return { control, boot, stopAll }
})

export const layer = Layer.effect(
  Control,
  Effect.flatMap(make, (s) => Effect.as(s.boot, s.control))
)
