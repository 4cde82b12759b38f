/** loadFleet with a FleetCache: a hit is the fleet without parsing, a miss parses and remembers. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ConfigEntry } from "../src/ConfigFile.ts"
import { FleetCache, type FleetCacheLookup } from "../src/FleetCache.ts"
import { loadFleet } from "../src/FleetLoader.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"

const config = (id: string) => `agent:\n  id: ${id}\nrun:\n  command: worker\n`
const files = { "agents/a/config.yaml": config("a"), "agents/b/config.yaml": config("a") }

/** A cache answering `answer`; what a miss was asked to remember lands in `remembered`. */
const cache = (answer: "hit" | "miss", cached: ReadonlyArray<ConfigEntry>, remembered: Array<unknown>) =>
  Layer.succeed(
    FleetCache,
    FleetCache.of({
      lookup: (glob) =>
        Effect.succeed<FleetCacheLookup>(
          answer === "hit"
            ? { _tag: "Hit", entries: cached }
            : { _tag: "Miss", remember: (_, entries) => Effect.sync(() => void remembered.push([glob, entries])) }
        )
    })
  )

describe("loadFleet and FleetCache", () => {
  it.effect("without a cache, and on a miss, the files are parsed; the miss remembers the same entries", () =>
    Effect.gen(function* () {
      const parsed = yield* loadFleet().pipe(Effect.provide(MemoryFleet.makeLayer(files)))
      // Two files claiming one id: both invalid, judged across the fleet.
      assert.deepStrictEqual(
        parsed.entries.map((e) => e._tag),
        ["Invalid", "Invalid"]
      )
      const remembered: Array<unknown> = []
      const missed = yield* loadFleet().pipe(
        Effect.provide(Layer.merge(MemoryFleet.makeLayer(files), cache("miss", [], remembered)))
      )
      assert.deepStrictEqual(missed.entries, parsed.entries)
      assert.deepStrictEqual(remembered, [["agents/*/config.yaml", parsed.entries]])
    })
  )

  it.effect("a hit is the fleet the cache holds: its agents, no file read", () =>
    Effect.gen(function* () {
      const valid = yield* loadFleet().pipe(
        Effect.provide(MemoryFleet.makeLayer({ "agents/c/config.yaml": config("c") }))
      )
      const remembered: Array<unknown> = []
      // The files on "disk" say something else: a hit must not read them.
      const hit = yield* loadFleet().pipe(
        Effect.provide(Layer.merge(MemoryFleet.makeLayer(files), cache("hit", valid.entries, remembered)))
      )
      assert.deepStrictEqual(hit.entries, valid.entries)
      assert.deepStrictEqual([...hit.agents.keys()], ["c"])
      assert.deepStrictEqual(remembered, [])
    })
  )
})
