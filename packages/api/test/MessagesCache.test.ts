import { assert, describe, it } from "@effect/vitest"
import { AgentData } from "@agentctl/core/AgentData"
import { FileError } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { MessagesCache } from "../src/MessagesCache.ts"

/** AgentData with data folders for `present` (each counting 7 messages), recording each lookup. */
const data = (present: Effect.Effect<ReadonlySet<string>, FileError>, lookups: Array<string>) =>
  Layer.mock(AgentData, {
    withData: present,
    messages24h: (id) => Effect.sync(() => (lookups.push(id), 7))
  })

const getAll = (ids: ReadonlyArray<string>) => MessagesCache.use((m) => m.getAll(ids))

describe("MessagesCache.getAll", () => {
  it.effect("looks up only the agents with a data folder; the rest are null without a lookup", () =>
    Effect.gen(function* () {
      const lookups: Array<string> = []
      const layer = MessagesCache.layer.pipe(Layer.provide(data(Effect.succeed(new Set(["b", "z"])), lookups)))
      const counts = yield* getAll(["a", "b", "c"]).pipe(Effect.provide(layer))
      assert.deepStrictEqual(
        [...counts],
        [
          ["a", null],
          ["b", 7],
          ["c", null]
        ]
      )
      assert.deepStrictEqual(lookups, ["b"])
    })
  )

  it.effect("a second listing within the TTL reads no database again", () =>
    Effect.gen(function* () {
      const lookups: Array<string> = []
      const layer = MessagesCache.layer.pipe(Layer.provide(data(Effect.succeed(new Set(["b"])), lookups)))
      yield* Effect.gen(function* () {
        yield* getAll(["a", "b"])
        assert.deepStrictEqual(
          [...(yield* getAll(["a", "b"]))],
          [
            ["a", null],
            ["b", 7]
          ]
        )
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(lookups, ["b"])
    })
  )

  it.effect("data/ that cannot be read: every count is null and nothing is looked up", () =>
    Effect.gen(function* () {
      const lookups: Array<string> = []
      const denied = Effect.fail(
        FileError.because("/fleet/data", "read", { code: "EACCES", detail: "permission denied" })
      )
      const layer = MessagesCache.layer.pipe(Layer.provide(data(denied, lookups)))
      const counts = yield* getAll(["a", "b"]).pipe(Effect.provide(layer))
      assert.deepStrictEqual(
        [...counts],
        [
          ["a", null],
          ["b", null]
        ]
      )
      assert.deepStrictEqual(lookups, [])
    })
  )
})
