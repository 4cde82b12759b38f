import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { afterKillPollMs } from "../src/AgentProcesses.ts"
import { ConfigSource } from "../src/ConfigSource.ts"
import * as Daemonless from "../src/Daemonless.ts"
import { parseHistory } from "../src/ExitHistory.ts"
import { RunDir } from "../src/RunDir.ts"
import * as FakeProbeRunner from "../src/testing/FakeProbeRunner.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"

const agent = (id: string, extra = "") => `agent:\n  id: ${id}\nrun:\n  command: sleep\n  args: [600]\n${extra}`

const fleetOf = (files: Record<string, string>) =>
  Layer.mergeAll(FakeProcessTable.layer, FakeProbeRunner.layer, MemoryFleet.makeLayer(files, { PATH: "/usr/bin" }))

const ids = (...list: Array<string>) => ({ _tag: "Ids", ids: list }) as const
const historyFile = `${MemoryFleet.fakeRoot}/run/history/a1.json`

describe("Daemonless: exit history", () => {
  it.effect("stop, kill and restart record what they ended; the restart count stays the file's", () =>
    Effect.gen(function* () {
      const runDir = yield* RunDir
      yield* runDir.writeHistory("a1", { restarts: 4, exits: [] })
      const [first] = yield* Daemonless.start(ids("a1"))
      yield* TestClock.adjust("2 seconds")
      yield* runWithClock(Daemonless.stop(ids("a1")))
      const [second] = yield* Daemonless.start(ids("a1"))
      yield* runWithClock(Daemonless.restart(ids("a1")))
      yield* runWithClock(Daemonless.kill(ids("a1")))
      const history = yield* Daemonless.history("a1")
      assert.deepStrictEqual(
        history.exits.map((e) => [e.reason, e.signal, e.code]),
        [
          ["killed", "SIGKILL", null],
          ["stopped", "SIGTERM", null],
          ["stopped", "SIGTERM", null]
        ]
      )
      assert.deepStrictEqual(
        history.exits.slice(1).map((e) => e.pid),
        [second!.pid, first!.pid]
      )
      assert.strictEqual(history.exits[2]!.uptime, 2 + afterKillPollMs / 1000)
      assert.strictEqual(history.restarts, 4)
      // Nothing ran: nothing recorded.
      yield* runWithClock(Daemonless.stop(ids("a1")))
      assert.strictEqual((yield* Daemonless.history("a1")).exits.length, 3)
    }).pipe(Effect.provide(fleetOf({ "agents/a1/config.yaml": agent("a1") })))
  )

  it.effect("a corrupt history: the stop is done, the file replaced, and the command fails naming it", () =>
    Effect.gen(function* () {
      yield* ConfigSource.use((s) => s.write(historyFile, "{oops"))
      const failed = yield* Effect.flip(Daemonless.history("a1"))
      assert.deepInclude(failed, { _tag: "FileError", path: historyFile, operation: parseHistory })
      yield* Daemonless.start(ids("a1"))
      const error = yield* Effect.flip(runWithClock(Daemonless.stop(ids("a1"))))
      assert.deepInclude(error, { _tag: "FileError", path: historyFile, operation: parseHistory })
      assert.strictEqual((yield* FakeProcessTable.FakeProcessTable.use((t) => t.alive)).length, 0)
      assert.deepStrictEqual(
        (yield* Daemonless.history("a1")).exits.map((e) => e.reason),
        ["stopped"]
      )
    }).pipe(Effect.provide(fleetOf({ "agents/a1/config.yaml": agent("a1") })))
  )

  it.effect("history of an unknown agent is AgentNotFound", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Daemonless.history("ghost"))
      assert.strictEqual(error._tag, "AgentNotFound")
    }).pipe(Effect.provide(fleetOf({ "agents/a1/config.yaml": agent("a1") })))
  )
})
