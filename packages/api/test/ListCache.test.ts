import { assert, describe, it } from "@effect/vitest"
import * as Daemonless from "@agentctl/core/Daemonless"
import * as FakeProcessTable from "@agentctl/core/testing/FakeProcessTable"
import * as MemoryFleet from "@agentctl/core/testing/MemoryFleet"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
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
})
