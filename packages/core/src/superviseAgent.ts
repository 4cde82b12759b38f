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
  | { readonly _tag: "Adopt"; readonly instance: Instance; readonly startedAt: number | null }

export type SuperviseRequirements = Prober | Signals | Spawner | RunDir | ConfigSource | Path.Path | Fleet | OomKills

interface Running {
  readonly startedAt: number
  /** For its exit record: its pid, and when it really started (an adopted one: as /proc says, null when unknown). */
  readonly instance: { readonly pid: number | null; readonly startedAt: number | null }
  readonly exit: Effect.Effect<ExitInfo, never, SuperviseRequirements>
}

const firstLine = (cause: Cause.Cause<unknown>) => Cause.pretty(cause).split("\n")[0] ?? "unknown error"

export const superviseAgent = (
  store: AgentStore,
  fleetRef: Ref.Ref<LoadedFleet>,
  id: string,
  launch: Launch
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

  const adopt = (instance: Instance, startedAt: number | null) =>
    Effect.gen(function* () {
      const status: Status = { _tag: "Running", pid: instance.pid, instances: 1, startedAt }
      yield* store.update(
        id,
        (s) => ({ ...s, instance, status }),
        `adopted pid ${instance.pid} (it runs without a launcher's supervision until now)`
      )
      return {
        startedAt: yield* Clock.currentTimeMillis,
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
              instance: spawnedInstance(s.pid, s.startTime ?? -1),
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
        return { startedAt, instance: { pid, startedAt }, exit } satisfies Running
      }
      const at = yield* Clock.currentTimeMillis
      yield* store.update(id, (s) => s, `failed to start: ${result.failure.message}`)
      // A command that cannot start is a failure like a crash: the policy and its backoff apply.
      return {
        startedAt: at,
        instance: { pid: null, startedAt: at },
        exit: Effect.succeed({ code: 127, signal: null, at })
      } satisfies Running
    })

  /**
   * The instance's leader is gone; anything still carrying the agent's marker (a worker it started
   * in a session of its own) would outlive it and run beside the next start. Stop it the way the
   * agent is stopped.
   */
  const stopLeftovers = (spec: AgentSpec) =>
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
      yield* store.note(id, `stopped what the exited instance left running: pid ${outcomes[0]?.pids.join(", ")}`)
    }).pipe(Effect.catch((e) => store.note(id, `could not stop what the exited instance left running: ${e.message}`)))

  const loop = Effect.gen(function* () {
    const runDir = yield* RunDir
    let next: Launch = launch
    for (;;) {
      const fleet = yield* Ref.get(fleetRef)
      const spec = fleet.agents.get(id)
      if (spec === undefined) return
      const running =
        next._tag === "Adopt" ? yield* adopt(next.instance, next.startedAt) : yield* spawn(fleet, spec, next.spawned)
      // `end.endedBy`: the health code sets it before it stops this instance (launcherHistory.ts).
      const end = yield* watchInstance(store, id, running.instance)
      const exit = yield* running.exit
      yield* end.record(exit, (yield* store.get(id)).restarts)
      yield* stopLeftovers(spec)
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
        random01: yield* Random.next
      })
      if (decision._tag === "Exit") {
        yield* store.update(id, (s) => ({
          ...s,
          instance: null,
          status: { _tag: "Exited", pid: s.instance?.pid ?? null, exit, recycled: false }
        }))
        return
      }
      if (decision._tag === "GiveUp") {
        const { cooldown } = fleet.settings.restart
        yield* store.update(id, (s) => ({
          ...s,
          instance: null,
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
        instance: null,
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
