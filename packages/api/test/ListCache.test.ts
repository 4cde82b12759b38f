import { assert, describe, it } from "@effect/vitest"
import * as Daemonless from "@agentctl/core/Daemonless"
import * as FakeProcessTable from "@agentctl/core/testing/FakeProcessTable"
import * as FakeProbeRunner from "@agentctl/core/testing/FakeProbeRunner"
import * as MemoryFleet from "@agentctl/core/testing/MemoryFleet"
import { Control } from "@agentctl/core/Control"
import type { AgentRow } from "@agentctl/core/AgentRow"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import { TestClock } from "effect/testing"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { ListCache } from "../src/ListCache.ts"
import { MessagesCache } from "../src/MessagesCache.ts"
import { AgentListRow } from "../src/Responses.ts"

describe("ListCache", () => {
  it.effect("JSON.stringify of listing rows is exactly their schema encoding", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.setBehaviour("crash", { crashAfterMs: 0 })
      yield* Daemonless.start({ _tag: "All" })
      const rows = (yield* Daemonless.list()).map((r, i) => ({ ...r, messages_24h: i % 2 === 0 ? null : i }))
      assert.deepStrictEqual(
        Schema.encodeSync(Schema.Array(AgentListRow))(rows),
        JSON.parse(JSON.stringify(rows)) as unknown
      )
      assert.deepStrictEqual(
        rows.map((r) => r.status),
        ["exited", "disabled", "running", "invalid"]
      )
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          FakeProcessTable.layer,
          FakeProbeRunner.layer,
          MemoryFleet.makeLayer({
            "agents/a/config.yaml": "agent: { id: crash }\nrun: { command: x }\n",
            "agents/b/config.yaml": "agent: { id: off, enabled: false }\nrun: { command: x }\n",
            "agents/c/config.yaml": "agent: { id: up }\nrun: { command: x }\n",
            "agents/d/config.yaml": "agent: { id: [broken }\n"
          })
        )
      )
    )
  )

  it.effect("one listing per second and state, however many requests ask at once", () =>
    Effect.gen(function* () {
      const lists = yield* Ref.make(0)
      const row: AgentRow = {
        id: null,
        name: "broken",
        enabled: false,
        status: "invalid",
        reason: "invalid config",
        pid: null,
        instances: 0,
        uptime: null,
        restarts: 0,
        file: "agents/x/config.yaml",
        error: "bad",
        supervisor: "launcher",
        detail: { _tag: "Invalid", file: "agents/x/config.yaml", error: "bad" },
        logs: null,
        health: null,
        probes: [],
        drift: null
      }
      // A listing that takes a while, so the requests overlap.
      const control = Layer.mock(Control, {
        supervisor: "launcher",
        list: Ref.update(lists, (n) => n + 1).pipe(Effect.andThen(Effect.sleep("10 millis")), Effect.as([row]))
      })
      const messages = Layer.mock(MessagesCache, {
        getAll: (ids) => Effect.succeed(new Map(ids.map((id) => [id, null])))
      })
      yield* Effect.gen(function* () {
        const cache = yield* ListCache
        const burst = Effect.forEach(Array.from({ length: 20 }), () => Effect.forkChild(cache.body(false))).pipe(
          Effect.tap(() => TestClock.adjust("10 millis")),
          Effect.flatMap((fibers) => Effect.forEach(fibers, Fiber.join))
        )
        const bodies = yield* burst
        assert.strictEqual(yield* Ref.get(lists), 1)
        assert.isTrue(bodies.every((b) => b === bodies[0]))
        assert.deepStrictEqual(JSON.parse(new TextDecoder().decode(bodies[0])), [{ ...row, messages_24h: null }])
        yield* burst
        assert.strictEqual(yield* Ref.get(lists), 1)
        yield* cache.invalidate
        yield* burst
        assert.strictEqual(yield* Ref.get(lists), 2)
        yield* TestClock.adjust("1 second")
        yield* burst
        assert.strictEqual(yield* Ref.get(lists), 3)
        // A client that asks for no cached answer gets a listing of its own, which the others then share.
        const fresh = yield* Effect.forkChild(cache.body(true))
        yield* TestClock.adjust("10 millis")
        const freshBody = yield* Fiber.join(fresh)
        assert.strictEqual(yield* Ref.get(lists), 4)
        assert.strictEqual(yield* cache.body(false), freshBody)
        assert.strictEqual(yield* Ref.get(lists), 4)
      }).pipe(Effect.provide(ListCache.layer.pipe(Layer.provide([control, messages]))))
    })
  )
})
