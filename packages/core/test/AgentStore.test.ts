import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { AgentEvent } from "../src/AgentEvent.ts"
import { idle, makeAgentStore } from "../src/AgentStore.ts"

/** A store and the events it publishes from now on. */
const storeWithEvents = Effect.gen(function* () {
  const store = yield* makeAgentStore
  const queue = yield* Stream.toQueue(store.events, { capacity: "unbounded" })
  // The stream subscribes in the fiber that reads it.
  yield* Effect.yieldNow
  const take = Effect.map(Queue.clear(queue), (all): ReadonlyArray<AgentEvent> => all)
  return { store, take }
})

const running = { _tag: "Running", pid: 42, instances: 1, startedAt: 0 } as const

describe("AgentStore", () => {
  it.effect("an agent it has not seen is stopped, with no history", () =>
    Effect.gen(function* () {
      const store = yield* makeAgentStore
      assert.deepStrictEqual(yield* store.get("a"), {
        status: { _tag: "Stopped" },
        restarts: 0,
        instance: null,
        spawned: null,
        failures: [],
        attempt: 0,
        health: null,
        probes: []
      })
      assert.strictEqual((yield* store.all).size, 0)
      assert.deepStrictEqual(idle({ _tag: "Disabled" }), {
        status: { _tag: "Disabled" },
        restarts: 0,
        instance: null,
        spawned: null,
        failures: [],
        attempt: 0,
        health: null,
        probes: []
      })
    })
  )

  it.effect("a change of status is an event with the reason as its message, numbered from 1", () =>
    Effect.gen(function* () {
      const { store, take } = yield* storeWithEvents
      yield* TestClock.adjust("7 seconds")
      const after = yield* store.update("a", (s) => ({ ...s, status: running, restarts: 2 }))
      assert.deepStrictEqual([after.status, after.restarts], [running, 2])
      assert.deepStrictEqual(yield* store.get("a"), after)
      assert.deepStrictEqual(yield* take, [
        { seq: 1, at: 7000, id: "a", status: "running", detail: running, health: null, message: "running as pid 42" }
      ])
    })
  )

  it.effect("no event when the status stays, unless a message says what happened", () =>
    Effect.gen(function* () {
      const { store, take } = yield* storeWithEvents
      yield* store.update("a", (s) => ({ ...s, status: running }))
      yield* store.update("a", (s) => ({ ...s, restarts: s.restarts + 1 }))
      yield* store.update("a", (s) => s, "could not remove its pid record: disk full")
      yield* store.update("b", (s) => s)
      const events = yield* take
      assert.deepStrictEqual(
        events.map((e) => [e.seq, e.id, e.status, e.message]),
        [
          [1, "a", "running", "running as pid 42"],
          [2, "a", "running", "could not remove its pid record: disk full"]
        ]
      )
      assert.strictEqual((yield* store.get("a")).restarts, 1)
    })
  )

  it.effect("a change of health alone is an event too, carrying the health", () =>
    Effect.gen(function* () {
      const { store, take } = yield* storeWithEvents
      yield* store.update("a", (s) => ({ ...s, status: running, health: "starting" }))
      yield* store.update("a", (s) => ({ ...s, health: "starting" }))
      yield* store.update("a", (s) => ({ ...s, health: "ready" }))
      assert.deepStrictEqual(
        (yield* take).map((e) => [e.seq, e.status, e.health]),
        [
          [1, "running", "starting"],
          [2, "running", "ready"]
        ]
      )
    })
  )

  it.effect("a note is an event about the agent as it is, and changes nothing", () =>
    Effect.gen(function* () {
      const { store, take } = yield* storeWithEvents
      yield* store.update("a", (s) => ({ ...s, status: running }))
      yield* TestClock.adjust("1 second")
      yield* store.note("a", "stopped its duplicates: pid 7")
      yield* store.note("b", "never seen")
      assert.deepStrictEqual(yield* take, [
        { seq: 1, at: 0, id: "a", status: "running", detail: running, health: null, message: "running as pid 42" },
        {
          seq: 2,
          at: 1000,
          id: "a",
          status: "running",
          detail: running,
          health: null,
          message: "stopped its duplicates: pid 7"
        },
        {
          seq: 3,
          at: 1000,
          id: "b",
          status: "stopped",
          detail: { _tag: "Stopped" },
          health: null,
          message: "never seen"
        }
      ])
      assert.deepStrictEqual((yield* store.get("a")).status, running)
      assert.strictEqual((yield* store.all).size, 1)
    })
  )

  it.effect("updates from many fibers leave in the order of their numbers, one per change", () =>
    Effect.gen(function* () {
      const { store, take } = yield* storeWithEvents
      yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => `a${i}`),
        (id) => store.update(id, (s) => ({ ...s, status: running })),
        { concurrency: "unbounded" }
      )
      const events = yield* take
      assert.deepStrictEqual(
        events.map((e) => e.seq),
        Array.from({ length: 20 }, (_, i) => i + 1)
      )
      assert.strictEqual(new Set(events.map((e) => e.id)).size, 20)
    })
  )

  it.effect("an event is a JSON line of launcher.log with the documented keys, and decodes back", () =>
    Effect.gen(function* () {
      const { store, take } = yield* storeWithEvents
      yield* store.update("a", (s) => ({ ...s, status: running }))
      yield* store.note("a", "adopted")
      for (const event of yield* take) {
        const line = JSON.stringify(Schema.encodeUnknownSync(AgentEvent)(event))
        const json: unknown = JSON.parse(line)
        assert.deepStrictEqual(Object.keys(json as object).toSorted(), [
          "at",
          "detail",
          "health",
          "id",
          "message",
          "seq",
          "status"
        ])
        assert.deepStrictEqual(Schema.decodeUnknownResult(AgentEvent)(json), Result.succeed(event))
      }
      const bad = { seq: 1, at: 0, id: "a", status: "running", detail: running }
      assert.isTrue(Result.isFailure(Schema.decodeUnknownResult(AgentEvent)(bad)))
    })
  )

  it.effect("waitFor answers at once when the state already holds", () =>
    Effect.gen(function* () {
      const store = yield* makeAgentStore
      yield* store.update("a", (s) => ({ ...s, status: running }))
      const state = yield* store.waitFor("a", (s) => s.status._tag === "Running")
      assert.deepStrictEqual(state.status, running)
    })
  )

  it.effect("waitFor wakes on an update that publishes nothing (a health change), not on other agents", () =>
    Effect.gen(function* () {
      const store = yield* makeAgentStore
      yield* store.update("a", (s) => ({ ...s, status: running, health: "starting" }))
      const waiting = yield* Effect.forkChild(store.waitFor("a", (s) => s.health === "ready"))
      yield* Effect.yieldNow
      yield* store.update("b", (s) => ({ ...s, status: running, health: "ready" }))
      yield* store.update("a", (s) => ({ ...s, restarts: 1 }))
      yield* Effect.yieldNow
      assert.isUndefined(waiting.pollUnsafe())
      yield* store.update("a", (s) => ({ ...s, health: "ready" }))
      const state = yield* Fiber.join(waiting)
      assert.deepStrictEqual([state.health, state.restarts], ["ready", 1])
    })
  )

  it.effect("waitFor sees every update of the agent, however many waiters and updates race", () =>
    Effect.gen(function* () {
      const store = yield* makeAgentStore
      const waiters = yield* Effect.forEach(
        Array.from({ length: 10 }, (_, i) => i + 1),
        // Forked by the test's own fiber: a child of a short-lived forEach fiber would die with it.
        (n) => Effect.forkChild(store.waitFor("a", (s) => s.restarts >= n))
      )
      yield* Effect.forEach(
        Array.from({ length: 10 }, () => store.update("a", (s) => ({ ...s, restarts: s.restarts + 1 }))),
        (update) => update,
        { concurrency: "unbounded" }
      )
      const seen = yield* Effect.forEach(waiters, Fiber.join)
      assert.isTrue(seen.every((s, i) => s.restarts >= i + 1))
    })
  )
})
