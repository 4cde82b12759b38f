import { LauncherSurvived } from "@agentctl/core/Errors"
import type { PidRecord } from "@agentctl/core/PidRecord"
import * as FakeProcessTable from "@agentctl/core/testing/FakeProcessTable"
import { runWithClock } from "@agentctl/core/testing/TestClockDriver"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { signalLauncher } from "../src/launcher/signalLauncher.ts"

/*
 * `launcher kill` and `launcher stop` say the launcher is gone only when that process (pid and
 * start time) is gone: against the fake process table, under the TestClock.
 */

/** Is the process the record names still there, with the same start time? */
const isLive = (record: PidRecord) =>
  Effect.gen(function* () {
    const alive = yield* (yield* FakeProcessTable.FakeProcessTable).alive
    return alive.some((p) => p.pid === record.pid && p.startTime === record.startTime)
  })

const launcher = (behaviour: FakeProcessTable.Behaviour = {}) =>
  Effect.gen(function* () {
    const table = yield* FakeProcessTable.FakeProcessTable
    const info = yield* table.add({ pid: 4242, comm: "node" }, behaviour)
    return { pid: info.pid, startTime: info.startTime, bootId: "", startedAt: 0 } satisfies PidRecord
  })

describe("signalLauncher", () => {
  it.effect("gone after the signal: the process with that start time no longer runs", () =>
    Effect.gen(function* () {
      const record = yield* launcher()
      assert.strictEqual(yield* runWithClock(signalLauncher(record, "SIGKILL", 10_000, isLive)), "gone")
    }).pipe(Effect.provide(FakeProcessTable.layer))
  )

  it.effect("still running after the wait: LauncherSurvived, never 'stopped'", () =>
    Effect.gen(function* () {
      const record = yield* launcher({ ignoresTerm: true })
      const error = yield* Effect.flip(runWithClock(signalLauncher(record, "SIGTERM", 5_000, isLive)))
      assert.instanceOf(error, LauncherSurvived)
      assert.deepInclude(error, { pid: 4242, signal: "SIGTERM", waitedMs: 5_000 })
    }).pipe(Effect.provide(FakeProcessTable.layer))
  )

  it.effect("a launcher that takes its time to stop is waited for", () =>
    Effect.gen(function* () {
      const record = yield* launcher({ termDelayMs: 3_000 })
      assert.strictEqual(yield* runWithClock(signalLauncher(record, "SIGTERM", 5_000, isLive)), "gone")
    }).pipe(Effect.provide(FakeProcessTable.layer))
  )

  it.effect("already exited before the signal: said so", () =>
    Effect.gen(function* () {
      const record = yield* launcher()
      yield* (yield* FakeProcessTable.FakeProcessTable).exit(record.pid)
      assert.strictEqual(yield* runWithClock(signalLauncher(record, "SIGKILL", 10_000, isLive)), "already-gone")
    }).pipe(Effect.provide(FakeProcessTable.layer))
  )

  it.effect("the OS refuses the signal: SignalDenied, as it is", () =>
    Effect.gen(function* () {
      const record = { pid: 1, startTime: 0, bootId: "", startedAt: 0 }
      const error = yield* Effect.flip(runWithClock(signalLauncher(record, "SIGKILL", 10_000, isLive)))
      assert.strictEqual(error._tag, "SignalDenied")
    }).pipe(Effect.provide(FakeProcessTable.layer))
  )
})
