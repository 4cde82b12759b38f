/** The logs settings as the loader hands them on: errors name the file and the field, values merge per agent. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { loadFleet, loadSettings } from "../src/FleetLoader.ts"
import { resolveLogSettings } from "../src/LogSettings.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"

const config = (id: string, run = "") => `agent:\n  id: ${id}\nrun:\n  command: worker\n${run}`
const settingsFile = `${MemoryFleet.fakeRoot}/agentctl.yaml`

describe("logs settings through the loader", () => {
  it.effect("a bad size in agentctl.yaml is ConfigInvalid naming the file and logs.max_size", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(loadSettings())
      assert.deepStrictEqual(
        [error._tag, error._tag === "ConfigInvalid" && error.file],
        ["ConfigInvalid", settingsFile]
      )
      assert.strictEqual(
        error.message,
        `${settingsFile}: logs.max_size: expected a size such as 10MiB or 1GiB, got "10 parsecs"`
      )
    }).pipe(Effect.provide(MemoryFleet.makeLayer({ "agentctl.yaml": "logs:\n  max_size: 10 parsecs\n" })))
  )

  it.effect("a bad run.logs key makes that agent invalid, naming its file and the field", () =>
    Effect.gen(function* () {
      const fleet = yield* loadFleet()
      const file = `${MemoryFleet.fakeRoot}/agents/a/config.yaml`
      const entry = fleet.entries.find((e) => e._tag === "Invalid")
      assert.isDefined(entry)
      assert.deepStrictEqual(entry?._tag === "Invalid" && [entry.file, entry.id], [file, "a"])
      assert.match(entry?._tag === "Invalid" ? entry.error : "", /^\/fleet\/agents\/a\/config\.yaml: run\.logs\.keep: /)
      assert.deepStrictEqual([...fleet.agents.keys()], ["b"])
    }).pipe(
      Effect.provide(
        MemoryFleet.makeLayer({
          "agents/a/config.yaml": config("a", "  logs:\n    keep: -1\n"),
          "agents/b/config.yaml": config("b")
        })
      )
    )
  )

  it.effect("an agent's run.logs wins over the fleet's logs:, key by key", () =>
    Effect.gen(function* () {
      const fleet = yield* loadFleet()
      const resolved = resolveLogSettings(fleet.settings.logs, fleet.agents.get("a")!.config.run.logs)
      assert.deepStrictEqual(resolved, {
        maxSize: 2 * 1024 * 1024,
        keep: 3,
        minKeep: 1024 * 1024,
        compress: false,
        maxLine: 64 * 1024
      })
    }).pipe(
      Effect.provide(
        MemoryFleet.makeLayer({
          "agentctl.yaml": "logs:\n  keep: 3\n  compress: false\n",
          "agents/a/config.yaml": config("a", "  logs:\n    max_size: 2MiB\n")
        })
      )
    )
  )
})
