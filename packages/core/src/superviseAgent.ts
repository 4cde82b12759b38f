import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Path from "effect/Path"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import { spawnAgent, stopPlans } from "./AgentProcesses.ts"
import type { AgentSpec } from "./AgentConfig.ts"
import type { AgentStore } from "./AgentStore.ts"
import type { ConfigSource } from "./ConfigSource.ts"
import { Fleet } from "./Fleet.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import { indexSnapshot, type Instance, resolveAgent, spawnedInstance } from "./Identity.ts"
import { noteRestarts, watchInstance } from "./launcherHistory.ts"
import type { OomKills } from "./OomKills.ts"
import type { StartOutcome } from "./Outcomes.ts"
import { Prober } from "./Prober.ts"
import { formatDurationMs } from "./Duration.ts"
import { decideRestart } from "./restartPolicy.ts"
import { RunDir } from "./RunDir.ts"
import type { Signals } from "./Signals.ts"
import type { Spawner } from "./Spawner.ts"
import type { ExitInfo, Status } from "./Status.ts"
import type { ProbeRunner } from "./ProbeRunner.ts"
import type { ReadinessNotices } from "./ReadinessNotices.ts"
import { initialHealth, type Verdict, watchesHealth, watchHealth } from "./watchHealth.ts"
import { type SessionRss, watchMemory } from "./watchMemory.ts"
import type { SpawnRecord } from "./SpawnRecord.ts"

/*
 * One agent's supervision, as one fiber of the launcher: start the agent (or watch the live
 * instance it adopted), wait for it to exit, stop whatever it left behind, apply the restart
 * policy, back off, repeat. However the fiber ends, the agent's status says so.
 */

/** How often an adopted agent (not our child: no exit event) is checked for life. */
export const adoptedPollMs = 250
/** Reads of an adopted agent's state that fail in a row before its status turns `unknown`. */
export const unknownAfterFailures = 3

export type Launch =
  /** Start it; `spawned` learns the outcome of that first spawn (the caller of `start` waits on it). */
  | { readonly _tag: "Spawn"; readonly spawned: Deferred.Deferred<StartOutcome> | null }
  /** It runs already (found at boot or by `start`): watch it, never start a second copy. */
  | {
      readonly _tag: "Adopt"
      readonly instance: Instance
      readonly startedAt: number | null
      /** Its pid record's account of how it was started, when the record is its own. */
      readonly spawned: SpawnRecord | null
    }

export type SuperviseRequirements =
  Prober | Signals | Spawner | RunDir | ConfigSource | Path.Path | Fleet | ProbeRunner | ReadinessNotices | OomKills

interface Running {
  readonly startedAt: number
  /** The leader's pid; null when the start failed (nothing runs, nothing to watch). */
  readonly pid: number | null
  /** Found running rather than started by this launcher. */
  readonly adopted: boolean
  /** For its exit record: its pid, and when it really started (an adopted one: as /proc says, null when unknown). */
  readonly instance: { readonly pid: number | null; readonly startedAt: number | null }
  readonly exit: Effect.Effect<ExitInfo, never, SuperviseRequirements>
}

/** What an instance leaves in the store once it is gone: no instance, no health. */
const gone = { instance: null, spawned: null, health: null, probes: [] } as const

const firstLine = (cause: Cause.Cause<unknown>) => Cause.pretty(cause).split("\n")[0] ?? "unknown error"

export const superviseAgent = (
  store: AgentStore,
  fleetRef: Ref.Ref<LoadedFleet>,
  id: string,
  launch: Launch,
  rss: SessionRss
): Effect.Effect<void, never, SuperviseRequirements> => {
  const spawned = launch._tag === "Spawn" ? launch.spawned : null

  /** An adopted instance is not our child, so its exit is seen by polling; a failed read is not an exit. */
  const awaitGone = (instance: Instance, running: Status) =>
    Effect.gen(function* () {
      const prober = yield* Prober
      let failures = 0
      for (;;) {
        yield* Effect.sleep(adoptedPollMs)
        const read = yield* Effect.result(prober.usage(instance.pid))
        if (read._tag === "Failure") {
          if (++failures === unknownAfterFailures) {
            yield* store.update(
              id,
              (s) => ({ ...s, status: { _tag: "Unknown", pid: instance.pid, error: read.failure.message } }),
              `cannot read the state of pid ${instance.pid} (${read.failure.message}); still watching it, nothing is restarted`
            )
          }
          continue
        }
        if (failures >= unknownAfterFailures) {
          yield* store.update(id, (s) => ({ ...s, status: running }), `pid ${instance.pid} can be read again`)
        }
        failures = 0
        if (read.success === null || read.success.startTime !== instance.startTime) {
          return { code: null, signal: null, at: yield* Clock.currentTimeMillis } satisfies ExitInfo
        }
      }
    })

  const adopt = (spec: AgentSpec, instance: Instance, startedAt: number | null, startedWith: SpawnRecord | null) =>
    Effect.gen(function* () {
      const status: Status = { _tag: "Running", pid: instance.pid, instances: 1, startedAt }
      yield* store.update(
        id,
        (s) => ({ ...s, ...initialHealth(spec, true), instance, spawned: startedWith, status }),
        `adopted pid ${instance.pid} (it runs without a launcher's supervision until now)`
      )
      return {
        startedAt: yield* Clock.currentTimeMillis,
        pid: instance.pid,
        adopted: true,
        instance: { pid: instance.pid, startedAt },
        exit: awaitGone(instance, status)
      } satisfies Running
    })

  const spawn = (fleet: LoadedFleet, spec: AgentSpec, report: Deferred.Deferred<StartOutcome> | null) =>
    Effect.gen(function* () {
      yield* store.update(id, (s) => ({ ...s, status: { _tag: "Starting", pid: null } }))
      // Spawning and recording must not be cut in half by an interrupt: a process we started
      // but did not record would run unsupervised.
      const result = yield* Effect.uninterruptible(
        spawnAgent(fleet, spec).pipe(
          Effect.tap((s) =>
            store.update(id, (st) => ({
              ...st,
              // With its Running status, in one update: a dependent waiting for `ready` never
              // sees a running instance whose probes have not been set up yet.
              ...initialHealth(spec, false),
              instance: spawnedInstance(s.pid, s.startTime ?? -1),
              spawned: s.spawnedWith,
              status: { _tag: "Running", pid: s.pid, instances: 1, startedAt: s.startedAt }
            }))
          ),
          Effect.result,
          Effect.tap((r) =>
            report === null
              ? Effect.void
              : Deferred.succeed(
                  report,
                  r._tag === "Success"
                    ? { id, result: "started", pid: r.success.pid, error: null }
                    : { id, result: "failed", pid: null, error: r.failure.message }
                )
          )
        )
      )
      if (result._tag === "Success") {
        const { pid, startedAt, exit } = result.success
        return { startedAt, pid, adopted: false, instance: { pid, startedAt }, exit } satisfies Running
      }
      const at = yield* Clock.currentTimeMillis
      yield* store.update(id, (s) => s, `failed to start: ${result.failure.message}`)
      // A command that cannot start is a failure like a crash: the policy and its backoff apply.
      return {
        startedAt: at,
        pid: null,
        adopted: false,
        instance: { pid: null, startedAt: at },
        exit: Effect.succeed({ code: 127, signal: null, at })
      } satisfies Running
    })

  /**
   * Stop whatever carries the agent's marker, the way the agent is stopped: after its leader is
   * gone (a worker it started in a session of its own would outlive it and run beside the next
   * start), or the whole instance when the launcher ends it for a verdict.
   */
  const stopInstances = (spec: AgentSpec, what: string) =>
    Effect.gen(function* () {
      const { root } = yield* Fleet
      const index = indexSnapshot(yield* (yield* Prober).snapshot)
      const left = resolveAgent(index, root, id, null).instances
      if (left.length === 0) return
      const { outcomes } = yield* stopPlans(
        [
          {
            id,
            instances: left,
            signal: spec.config.run.stop_signal,
            timeoutMs: spec.config.run.stop_timeout,
            staleRecord: false
          }
        ],
        index,
        { removeRecords: false }
      )
      yield* store.note(id, `stopped ${what}: pid ${outcomes[0]?.pids.join(", ")}`)
    }).pipe(Effect.catch((e) => store.note(id, `could not stop ${what}: ${e.message}`)))

  /**
   * The probes and the memory ceiling of a running instance, the first verdict wins; null when
   * it has neither. Most agents have neither, and then no watch fibers run at all: two idle
   * fibers per agent were a megabyte of the launcher's RSS at 100 agents.
   */
  const watch = (
    fleet: LoadedFleet,
    spec: AgentSpec,
    running: Running
  ): Effect.Effect<Verdict, never, SuperviseRequirements> | null => {
    if (running.pid === null) return null
    const limit = spec.config.run.max_memory
    const watches = [
      ...(watchesHealth(spec)
        ? [watchHealth(store, fleet.settings, spec, running.instance.startedAt ?? running.startedAt, running.adopted)]
        : []),
      ...(limit === undefined ? [] : [watchMemory(limit, running.pid, rss)])
    ]
    return watches.length === 0 ? null : Effect.raceAllFirst(watches)
  }

  /** The instance's exit, or the launcher's verdict on it, then its exit after being stopped for it. */
  const ended = (fleet: LoadedFleet, spec: AgentSpec, running: Running) =>
    Effect.gen(function* () {
      const watching = watch(fleet, spec, running)
      if (watching === null) return { exit: yield* running.exit, verdict: null }
      const first = yield* Effect.raceFirst(
        Effect.map(running.exit, (exit) => ({ exit, verdict: null })),
        Effect.map(watching, (verdict) => ({ exit: null, verdict }))
      )
      if (first.verdict === null) return first
      yield* store.note(id, `${first.verdict.message}: restarting it per its policy (reason ${first.verdict.reason})`)
      yield* stopInstances(spec, `the instance (${first.verdict.reason})`)
      return { exit: yield* running.exit, verdict: first.verdict }
    })

  const loop = Effect.gen(function* () {
    const runDir = yield* RunDir
    let next: Launch = launch
    for (;;) {
      const fleet = yield* Ref.get(fleetRef)
      const spec = fleet.agents.get(id)
      if (spec === undefined) return
      const running =
        next._tag === "Adopt"
          ? yield* adopt(spec, next.instance, next.startedAt, next.spawned)
          : yield* spawn(fleet, spec, next.spawned)
      const end = yield* watchInstance(store, id, running.instance)
      const { exit, verdict } = yield* ended(fleet, spec, running)
      // The exit record's reason: the launcher's own verdict, when it ended the instance.
      if (verdict !== null) yield* Ref.set(end.endedBy, verdict.reason)
      yield* end.record(exit, (yield* store.get(id)).restarts)
      yield* stopInstances(spec, "what the exited instance left running")
      yield* runDir
        .removePidRecord(id)
        .pipe(Effect.catch((e) => store.note(id, `could not remove its pid record: ${e.message}`)))
      const now = yield* Clock.currentTimeMillis
      const state = yield* store.get(id)
      const decision = decideRestart({
        policy: spec.config.run.restart,
        settings: fleet.settings.restart,
        exit,
        ranMs: now - running.startedAt,
        attempt: state.attempt,
        failures: state.failures,
        now,
        random01: yield* Random.next,
        endedBy: verdict?.reason ?? null
      })
      if (decision._tag === "Exit") {
        yield* store.update(id, (s) => ({
          ...s,
          ...gone,
          status: { _tag: "Exited", pid: s.instance?.pid ?? null, exit, recycled: false }
        }))
        return
      }
      if (decision._tag === "GiveUp") {
        const { cooldown } = fleet.settings.restart
        yield* store.update(id, (s) => ({
          ...s,
          ...gone,
          failures: decision.failures,
          status: {
            _tag: "GaveUp",
            failures: decision.failures.length,
            windowMs: fleet.settings.restart.failure_window,
            at: now,
            exit,
            retryAt: cooldown === "never" ? null : now + cooldown
          }
        }))
        if (cooldown === "never") return
        // The cool-down: then a fresh start, its backoff and failure count from zero.
        yield* Effect.sleep(cooldown)
        const retried = yield* store.update(
          id,
          (s) => ({ ...s, failures: [], attempt: 0, restarts: s.restarts + 1 }),
          `trying again after the ${formatDurationMs(cooldown)} cool-down`
        )
        yield* noteRestarts(store, id, retried.restarts)
        next = { _tag: "Spawn", spawned: null }
        continue
      }
      yield* store.update(id, (s) => ({
        ...s,
        ...gone,
        failures: decision.failures,
        attempt: decision.attempt,
        status: { _tag: "Backoff", attempt: decision.attempt, nextAttemptAt: now + decision.delayMs, exit }
      }))
      if (decision.delayMs > 0) yield* Effect.sleep(decision.delayMs)
      const restarted = yield* store.update(id, (s) => ({ ...s, restarts: s.restarts + 1 }))
      yield* noteRestarts(store, id, restarted.restarts)
      next = { _tag: "Spawn", spawned: null }
    }
  })

  return loop.pipe(
    Effect.catchCause((cause) =>
      Cause.hasInterruptsOnly(cause)
        ? Effect.failCause(cause)
        : store.update(
            id,
            (s) => ({ ...s, status: { _tag: "Unknown", pid: s.instance?.pid ?? null, error: firstLine(cause) } }),
            `supervision ended on an error (${firstLine(cause)}); start it to supervise it again`
          )
    ),
    Effect.ensuring(
      spawned === null
        ? Effect.void
        : Deferred.succeed(spawned, { id, result: "failed", pid: null, error: "supervision ended before it started" })
    ),
    Effect.asVoid
  )
}
