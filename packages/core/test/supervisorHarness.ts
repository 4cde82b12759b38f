import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { AgentEvent } from "../src/AgentEvent.ts"
import { ConfigSource } from "../src/ConfigSource.ts"
import { Control } from "../src/Control.ts"
import { RunDir } from "../src/RunDir.ts"
import type { Signals } from "../src/Signals.ts"
import * as Supervisor from "../src/Supervisor.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as FakeProbeRunner from "../src/testing/FakeProbeRunner.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"

/** The launcher's tests: a fleet in memory, the fake process table, TestClock. */

export const agent = (id: string, extra = "") => `agent:\n  id: ${id}\nrun:\n  command: worker\n${extra}`
// No jitter: the schedule is exact.
export const settings =
  "restart:\n  initial_delay: 1s\n  multiplier: 2\n  max_delay: 60s\n  jitter: 0\n  stable_after: 30s\n  max_failures: 5\n  failure_window: 60s\n"

type Services = FakeProcessTable.FakeProcessTable | RunDir | ConfigSource | FakeProbeRunner.FakeProbes | Signals

const base = (files: Record<string, string>) =>
  Layer.mergeAll(
    FakeProcessTable.layer,
    FakeProbeRunner.layer,
    MemoryFleet.makeLayer({ "agentctl.yaml": settings, ...files }, { PATH: "/bin" })
  )

/** Set behaviours before the supervisor boots (it starts agents right away). */
export const withSupervisor = <A, E>(
  files: Record<string, string>,
  setup: Effect.Effect<void, unknown, Services>,
  body: Effect.Effect<A, E, Control | Services | Scope.Scope>
) =>
  Effect.gen(function* () {
    yield* setup
    return yield* body.pipe(Effect.provide(Supervisor.layer))
  }).pipe(Effect.scoped, Effect.provide(base(files)))

export type Launcher = Effect.Success<typeof Supervisor.make>

/** The fleet and the fake process table alone: for a test that runs launchers one after another over them. */
export const withFleet = <A, E>(
  files: Record<string, string>,
  body: Effect.Effect<A, E, Layer.Success<ReturnType<typeof base>> | Scope.Scope>
) => body.pipe(Effect.scoped, Effect.provide(base(files)))

/** The launcher before its boot: the test subscribes to events, then boots it (or not). */
export const withLauncher = <A, E>(
  files: Record<string, string>,
  setup: Effect.Effect<void, unknown, Services>,
  body: (launcher: Launcher) => Effect.Effect<A, E, Services | Scope.Scope>
) =>
  Effect.gen(function* () {
    yield* setup
    return yield* body(yield* Supervisor.make)
  }).pipe(Effect.scoped, Effect.provide(base(files)))

/**
 * Collect every event from now on; `take` drains what arrived so far. The stream subscribes
 * in the fiber that reads it: one yield lets that fiber run up to its first wait.
 */
export const recordEvents = (events: Stream.Stream<AgentEvent>) =>
  Effect.gen(function* () {
    const queue = yield* Stream.toQueue(events, { capacity: "unbounded" })
    yield* Effect.yieldNow
    return { take: Effect.map(Queue.clear(queue), (all): ReadonlyArray<AgentEvent> => all) }
  })

export const behave = (id: string, behaviour: FakeProcessTable.Behaviour) =>
  FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour(id, behaviour))

export const spawnTimes = (id: string) =>
  Effect.map(
    FakeProcessTable.FakeProcessTable.use((t) => t.spawned),
    (all) => all.filter((s) => s.id === id).map((s) => s.at)
  )

export const aliveOf = (id: string) =>
  Effect.map(
    FakeProcessTable.FakeProcessTable.use((t) => t.alive),
    (all) => all.filter((p) => p.marker?.agent === id).map((p) => p.pid)
  )

/** A process of agent `id` started by hand (no launcher watching), with its pid record when `record`. */
export const runningByHand = (id: string, pid: number, record: boolean, behaviour: FakeProcessTable.Behaviour = {}) =>
  Effect.gen(function* () {
    const t = yield* FakeProcessTable.FakeProcessTable
    const p = yield* t.add({ pid, marker: { fleet: MemoryFleet.fakeRoot, agent: id } }, behaviour)
    if (record) {
      yield* (yield* RunDir).writePidRecord(id, {
        pid,
        startTime: p.startTime,
        bootId: FakeProcessTable.fakeBootId,
        startedAt: 0
      })
    }
    return p
  })

export const writeFile = (file: string, text: string) =>
  ConfigSource.use((s) => s.write(`${MemoryFleet.fakeRoot}/${file}`, text))
