import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import { getOrCreate } from "./getOrCreate.ts"
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import * as Ref from "effect/Ref"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import type { AgentEvent } from "./AgentEvent.ts"
import type { HealthName } from "./Health.ts"
import type { Instance } from "./Identity.ts"
import type { ProbeStatus } from "./ProbeResult.ts"
import type { SpawnRecord } from "./SpawnRecord.ts"
import type { Status } from "./Status.ts"
import { statusName, statusReason } from "./statusText.ts"

/**
 * The launcher's memory of every agent: one Ref holding every agent's state, changed only by
 * `update`, which also numbers and publishes the change. One writer at a time, so events leave
 * in the order of their `seq` and a reader never sees a state without its event.
 */

export interface AgentState {
  readonly status: Status
  readonly restarts: number
  /** The process being supervised, for stop/kill; null when none runs. */
  readonly instance: Instance | null
  /** What that process was started with (its pid record's), for drift; null when unknown or none runs. */
  readonly spawned: SpawnRecord | null
  /** Times of exits that led to restarts, for the give-up window. */
  readonly failures: ReadonlyArray<number>
  readonly attempt: number
  /** The running instance's health (Health.ts); null without probes or without an instance. */
  readonly health: HealthName | null
  /** Its probes' standing, in the order startup, liveness, readiness; empty without probes. */
  readonly probes: ReadonlyArray<ProbeStatus>
}

export const idle = (status: Status): AgentState => ({
  status,
  restarts: 0,
  instance: null,
  spawned: null,
  failures: [],
  attempt: 0,
  health: null,
  probes: []
})

export interface AgentStore {
  /** The agent's state; `Stopped` for an agent the store has not seen. */
  readonly get: (id: string) => Effect.Effect<AgentState>
  readonly all: Effect.Effect<ReadonlyMap<string, AgentState>>
  /**
   * Change one agent's state. An event is published when its status or health changes, or always
   * when a `message` says what happened (an adoption, a failure the status alone does not tell).
   */
  readonly update: (id: string, f: (s: AgentState) => AgentState, message?: string) => Effect.Effect<AgentState>
  /** An event about an agent whose state stays as it is: a file that could not be removed, a pid. */
  readonly note: (id: string, message: string) => Effect.Effect<void>
  /** Every event from now on. */
  readonly events: Stream.Stream<AgentEvent>
  /**
   * The agent's state once `predicate` holds: at once if it does now, else after the first
   * `update` of that agent that makes it hold. Every update wakes it, published or not (a health
   * change keeps the status tag, so waiting on events would miss it); no polling.
   */
  readonly waitFor: (id: string, predicate: (s: AgentState) => boolean) => Effect.Effect<AgentState>
}

export const makeAgentStore = Effect.gen(function* () {
  const states = yield* Ref.make<ReadonlyMap<string, AgentState>>(new Map())
  const pubsub = yield* PubSub.unbounded<AgentEvent>()
  const writer = yield* Semaphore.make(1)
  let seq = 0
  // Per agent, the signal its next update completes (then replaces): a waiter takes the signal
  // before it reads the state, so an update between the two still wakes it.
  const changed = new Map<string, Deferred.Deferred<void>>()
  const changeOf = (id: string) => getOrCreate(changed, id, () => Deferred.makeUnsafe<void>())
  const wake = (id: string) =>
    Effect.sync(() => {
      const signal = changed.get(id)
      if (signal === undefined) return
      changed.delete(id)
      Deferred.doneUnsafe(signal, Effect.void)
    })

  const current = (map: ReadonlyMap<string, AgentState>, id: string) => map.get(id) ?? idle({ _tag: "Stopped" })

  const publish = (id: string, state: AgentState, message: string | undefined, at: number) =>
    PubSub.publish(pubsub, {
      seq: ++seq,
      at,
      id,
      status: statusName(state.status),
      detail: state.status,
      health: state.health,
      message: message ?? statusReason(state.status, at)
    })

  const update = (id: string, f: (s: AgentState) => AgentState, message?: string) =>
    writer.withPermits(1)(
      Effect.gen(function* () {
        const at = yield* Clock.currentTimeMillis
        const [before, after] = yield* Ref.modify(
          states,
          (map): readonly [readonly [AgentState, AgentState], ReadonlyMap<string, AgentState>] => {
            const was = current(map, id)
            const next = f(was)
            return [[was, next], new Map(map).set(id, next)]
          }
        )
        if (before.status._tag !== after.status._tag || before.health !== after.health || message !== undefined) {
          yield* publish(id, after, message, at)
        }
        yield* wake(id)
        return after
      })
    )

  return {
    get: (id) => Effect.map(Ref.get(states), (map) => current(map, id)),
    all: Ref.get(states),
    update,
    note: (id, message) =>
      writer.withPermits(1)(
        Effect.gen(function* () {
          const at = yield* Clock.currentTimeMillis
          yield* publish(id, current(yield* Ref.get(states), id), message, at)
        })
      ),
    events: Stream.fromPubSub(pubsub),
    waitFor: (id, predicate) =>
      Effect.gen(function* () {
        for (;;) {
          const signal = changeOf(id)
          const state = current(yield* Ref.get(states), id)
          if (predicate(state)) return state
          yield* Deferred.await(signal)
        }
      })
  } satisfies AgentStore
})
