import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import * as Daemonless from "../src/Daemonless.ts"
import * as FakeProbeRunner from "../src/testing/FakeProbeRunner.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"

/* `start` in depends_on order without a launcher: spawns for `started`, readiness probes for `ready`. */

const agent = (id: string, extra = "") => `agent:\n  id: ${id}\nrun:\n  command: sleep\n  args: [600]\n${extra}`
const probed = "health:\n  readiness: { exec: [check], period: 1s }\n"
const ids = (...list: Array<string>) => ({ _tag: "Ids", ids: list }) as const
const all = { _tag: "All" } as const

const fleetOf = (files: Record<string, string>) =>
  Layer.mergeAll(FakeProcessTable.layer, FakeProbeRunner.layer, MemoryFleet.makeLayer(files, { PATH: "/usr/bin" }))

const readinessOf = (id: string, answer: FakeProbeRunner.Answer) =>
  FakeProbeRunner.FakeProbes.use((p) => p.answer(id, "readiness", answer))

const spawnOrder = Effect.map(
  FakeProcessTable.FakeProcessTable.use((t) => t.spawned),
  (s) => s.map((x) => [x.id, x.at] as const)
)

const chain = {
  "agents/a/config.yaml": agent("a"),
  "agents/b/config.yaml": agent("b", `${probed}depends_on: { a: started }\n`),
  "agents/c/config.yaml": agent("c", "depends_on: { b: { condition: ready, timeout: 10s } }\n")
}

describe("Daemonless: depends_on", () => {
  it.effect("start <id> starts a -> b -> c in order, c once b's readiness probe passed", () =>
    Effect.gen(function* () {
      yield* readinessOf("b", FakeProbeRunner.fail())
      const starting = yield* Effect.forkChild(Daemonless.start(ids("c")))
      for (let i = 0; i < 25; i++) yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(
        (yield* spawnOrder).map(([id]) => id),
        ["a", "b"]
      )
      const passedAt = yield* Clock.currentTimeMillis
      yield* readinessOf("b", FakeProbeRunner.pass)
      const out = yield* runWithClock(Fiber.join(starting))
      assert.deepStrictEqual(
        out.map((o) => [o.id, o.result]),
        [
          ["a", "started"],
          ["b", "started"],
          ["c", "started"]
        ]
      )
      const order = yield* spawnOrder
      assert.deepStrictEqual(
        order.map(([id]) => id),
        ["a", "b", "c"]
      )
      assert.isAtLeast(order[2]![1], passedAt)
      // Run as soon as b was spawned, then every period.
      assert.deepStrictEqual(
        yield* FakeProbeRunner.FakeProbes.use((p) => p.runs("b", "readiness")),
        [0, 1000, 2000, 3000]
      )
    }).pipe(Effect.provide(fleetOf(chain)))
  )

  it.effect("a readiness probe that does not pass in time fails the dependent, with what it said last", () =>
    Effect.gen(function* () {
      yield* readinessOf("b", FakeProbeRunner.fail("exit code 1: not yet"))
      const out = yield* runWithClock(Daemonless.start(all))
      assert.deepStrictEqual(
        out.map((o) => [o.id, o.result, o.error]),
        [
          ["a", "started", null],
          ["b", "started", null],
          [
            "c",
            "failed",
            'dependency "b" did not become ready within 10s (readiness probe exec check: exit code 1: not yet)'
          ]
        ]
      )
    }).pipe(Effect.provide(fleetOf(chain)))
  )

  it.effect("a probe that cannot run is waited out too, and its error is the reason given", () =>
    Effect.gen(function* () {
      yield* readinessOf("b", { _tag: "Error", error: "check: command not found" })
      const out = yield* runWithClock(Daemonless.start(ids("c")))
      assert.strictEqual(
        out[2]!.error,
        'dependency "b" did not become ready within 10s (readiness probe exec check: check: command not found)'
      )
    }).pipe(Effect.provide(fleetOf(chain)))
  )

  it.effect("a dependency without a readiness probe is ready once spawned; a running target waits for nothing", () =>
    Effect.gen(function* () {
      const first = yield* runWithClock(Daemonless.start(ids("b")))
      assert.deepStrictEqual(
        first.map((o) => [o.id, o.result]),
        [
          ["a", "started"],
          ["b", "started"]
        ]
      )
      yield* runWithClock(Daemonless.stop(ids("a")))
      const again = yield* runWithClock(Daemonless.start(ids("b")))
      assert.deepStrictEqual(
        again.map((o) => [o.id, o.result]),
        [["b", "already-running"]]
      )
    }).pipe(
      Effect.provide(
        fleetOf({
          "agents/a/config.yaml": agent("a"),
          "agents/b/config.yaml": agent("b", "depends_on: { a: ready }\n")
        })
      )
    )
  )

  it.effect("restart answers for what it restarts, the dependencies it started aside", () =>
    Effect.gen(function* () {
      const out = yield* runWithClock(Daemonless.restart(ids("b")))
      assert.deepStrictEqual(
        out.map((o) => [o.stop.id, o.stop.result, o.start.id, o.start.result]),
        [["b", "not-running", "b", "started"]]
      )
      assert.deepStrictEqual(
        (yield* spawnOrder).map(([id]) => id),
        ["a", "b"]
      )
    }).pipe(
      Effect.provide(
        fleetOf({
          "agents/a/config.yaml": agent("a"),
          "agents/b/config.yaml": agent("b", "depends_on: { a: started }\n")
        })
      )
    )
  )

  it.effect("completed needs a launcher: the dependent fails saying so, and the dependency is not run for it", () =>
    Effect.gen(function* () {
      const out = yield* runWithClock(Daemonless.start(ids("api")))
      assert.deepStrictEqual(out, [
        {
          id: "api",
          result: "failed",
          pid: null,
          error:
            'dependency "migrate" is awaited until it completed, which only a launcher sees (agentctl launcher start): without one, no exit code is known'
        }
      ])
      assert.deepStrictEqual(yield* spawnOrder, [])
    }).pipe(
      Effect.provide(
        fleetOf({
          "agents/migrate/config.yaml": agent("migrate"),
          "agents/api/config.yaml": agent("api", "depends_on: { migrate: completed }\n")
        })
      )
    )
  )

  it.effect("a dependency that fails to start fails its dependents at once", () =>
    Effect.gen(function* () {
      yield* FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("a", { notFound: true }))
      const out = yield* runWithClock(Daemonless.start(ids("c")))
      assert.deepStrictEqual(
        out.map((o) => [o.id, o.result]),
        [
          ["a", "failed"],
          ["b", "failed"],
          ["c", "failed"]
        ]
      )
      assert.match(out[2]!.error!, /^dependency "b" failed to start: dependency "a" failed to start: /)
    }).pipe(Effect.provide(fleetOf(chain)))
  )
})
