import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Daemonless from "../src/Daemonless.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"

/* The daemonless commands one by one: what each does to processes and records, and what it says. */

const agent = (id: string, extra = "", enabled = true) =>
  `agent:\n  id: ${id}\n  enabled: ${enabled}\nrun:\n  command: sleep\n${extra}`
const fleetOf = (files: Record<string, string>) => Layer.mergeAll(FakeProcessTable.layer, MemoryFleet.makeLayer(files))
const all = { _tag: "All" } as const
const ids = (...list: Array<string>) => ({ _tag: "Ids", ids: list }) as const
describe("Daemonless restart", () => {
  it.effect("restart --all restarts the enabled agents; a disabled one started by id keeps running", () =>
    Effect.gen(function* () {
      const [a, off] = yield* Daemonless.start(ids("a", "off"))
      const out = yield* runWithClock(Daemonless.restart(all))
      assert.deepStrictEqual(
        out.map(({ stop, start }) => [stop.id, stop.result, stop.pids, start.id, start.result]),
        [["a", "stopped", [a!.pid!], "a", "started"]]
      )
      const rows = yield* Daemonless.list()
      assert.deepStrictEqual(
        rows.map((r) => [r.id, r.status, r.pid]),
        [
          ["a", "running", out[0]!.start.pid],
          ["off", "running", off!.pid]
        ]
      )
    }).pipe(
      Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a"), "agents/off/config.yaml": agent("off", "", false) }))
    )
  )

  it.effect("restart by id restarts that agent, enabled or not; with nothing enabled, --all does nothing", () =>
    Effect.gen(function* () {
      const [first] = yield* Daemonless.start(ids("off"))
      const [out] = yield* runWithClock(Daemonless.restart(ids("off"), 1000))
      assert.deepStrictEqual(
        [out!.stop.result, out!.stop.pids, out!.start.result],
        ["stopped", [first!.pid!], "started"]
      )
      assert.notStrictEqual(out!.start.pid, first!.pid)
      assert.deepStrictEqual(yield* runWithClock(Daemonless.restart(all)), [])
      assert.strictEqual((yield* Daemonless.status("off")).pid, out!.start.pid)
    }).pipe(Effect.provide(fleetOf({ "agents/off/config.yaml": agent("off", "", false) })))
  )
})
