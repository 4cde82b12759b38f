import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { RunDir } from "../src/RunDir.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"
import { agent, aliveOf, recordEvents, runningByHand, withLauncher } from "./supervisorHarness.ts"

/* How a launcher takes a fleet over. */

describe("Supervisor: boot", () => {
  it.effect("keeps the recorded instance and stops the duplicates beside it, the agent's way", () =>
    withLauncher(
      { "agents/a/config.yaml": agent("a", "  stop_signal: SIGHUP\n") },
      Effect.gen(function* () {
        yield* runningByHand("a", 4000, true)
        yield* runningByHand("a", 4001, false)
      }),
      (launcher) =>
        Effect.gen(function* () {
          const events = yield* recordEvents(launcher.control.events)
          yield* runWithClock(launcher.boot)
          assert.deepStrictEqual(yield* aliveOf("a"), [4000])
          const signals = yield* FakeProcessTable.FakeProcessTable.use((t) => t.signals)
          assert.deepStrictEqual(
            signals.map((s) => [s.target, s.signal]),
            [[4001, "SIGHUP"]]
          )
          // The adopted instance keeps its pid record.
          assert.strictEqual((yield* (yield* RunDir).readPidRecord("a"))?.pid, 4000)
          assert.deepStrictEqual(
            (yield* events.take).map((e) => e.message),
            [
              "adopted pid 4000 (it runs without a launcher's supervision until now)",
              "stopping 1 duplicate instance(s): pid 4001",
              "stopped its duplicates: pid 4001"
            ]
          )
          const row = yield* launcher.control.status("a")
          assert.deepStrictEqual([row.status, row.pid], ["running", 4000])
        })
    )
  )
})
