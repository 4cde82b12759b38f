import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { TestClock } from "effect/testing"
import type { AgentRow } from "../src/AgentRow.ts"
import { Control } from "../src/Control.ts"
import * as Daemonless from "../src/Daemonless.ts"
import { AgentStats, sampleIntervalMs, statsFor } from "../src/Stats.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as FakeProbeRunner from "../src/testing/FakeProbeRunner.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"

const agent = (id: string, enabled = true) => `agent:\n  id: ${id}\n  enabled: ${enabled}\nrun:\n  command: worker\n`
const MiB = 1024 * 1024

const fleet = Daemonless.layer.pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      FakeProcessTable.layer,
      FakeProbeRunner.layer,
      MemoryFleet.makeLayer({
        "agents/busy/config.yaml": agent("busy"),
        "agents/idle/config.yaml": agent("idle"),
        "agents/off/config.yaml": agent("off", false),
        "agents/short/config.yaml": agent("short"),
        "agents/zbad/config.yaml": "agent: [",
        "run/off.log": "one\ntwo\n",
        "run/busy.log": "x".repeat(1234)
      })
    )
  )
)

/** Start the enabled agents at t = 10 s, then take the stats of every row, timing them in virtual ms. */
const sampled = (setup: Effect.Effect<void, never, FakeProcessTable.FakeProcessTable>) =>
  Effect.gen(function* () {
    const table = yield* FakeProcessTable.FakeProcessTable
    const control = yield* Control
    yield* table.setBehaviour("busy", { wrapper: true, rssBytes: 3 * MiB, cpuPercent: 25 })
    yield* setup
    yield* TestClock.adjust("10 seconds")
    yield* control.start({ _tag: "All" })
    yield* TestClock.adjust("2 seconds")
    const rows = yield* control.list
    const t0 = yield* Clock.currentTimeMillis
    const stats = yield* runWithClock(statsFor(rows.map((r) => (r.id === "idle" ? { ...r, restarts: 3 } : r))))
    const elapsed = (yield* Clock.currentTimeMillis) - t0
    const byId = new Map(stats.map((s) => [s.id, s]))
    return { rows, stats, byId, elapsed }
  })

const rowOf = (rows: ReadonlyArray<AgentRow>, id: string) => rows.find((r) => r.id === id)!

/** MemoryFleet's logs are raw run/<id>.log text, as without a launcher's records. */
const memoryLog = (bytes: number) => ({
  bytes,
  writtenBytes: null,
  droppedBytes: null,
  evictedBytes: null,
  cutLines: null,
  warning: null
})

describe("statsFor", () => {
  it.effect("sums a session's processes, over one sampling interval for all agents", () =>
    Effect.gen(function* () {
      const { rows, stats, byId, elapsed } = yield* sampled(Effect.void)
      // Invalid configs have no id and no stats; the rest keep the rows' order.
      assert.deepStrictEqual(
        stats.map((s) => s.id),
        ["busy", "idle", "off", "short"]
      )
      const busy = rowOf(rows, "busy")
      assert.deepStrictEqual(byId.get("busy"), {
        id: "busy",
        status: "running",
        pid: busy.pid,
        // The wrapper and the program it started: both in the agent's session.
        processes: 2,
        uptime: 2,
        rssBytes: 6 * MiB,
        cpuPercent: 50,
        logBytes: 1234,
        restarts: 0,
        logs: memoryLog(1234)
      } satisfies AgentStats)
      assert.deepStrictEqual(byId.get("idle"), {
        id: "idle",
        status: "running",
        pid: rowOf(rows, "idle").pid,
        processes: 1,
        uptime: 2,
        rssBytes: 10 * MiB,
        cpuPercent: 0,
        logBytes: 0,
        restarts: 3,
        logs: memoryLog(0)
      } satisfies AgentStats)
      assert.deepStrictEqual(byId.get("off"), {
        id: "off",
        status: "disabled",
        pid: null,
        processes: 0,
        uptime: null,
        rssBytes: null,
        cpuPercent: null,
        logBytes: 8,
        restarts: 0,
        logs: memoryLog(8)
      } satisfies AgentStats)
      assert.strictEqual(elapsed, sampleIntervalMs)
    }).pipe(Effect.provide(fleet))
  )

  it.effect("counts only live processes of the leader's session that started after it", () =>
    Effect.gen(function* () {
      const { rows, byId } = yield* sampled(Effect.void)
      const table = yield* FakeProcessTable.FakeProcessTable
      const pid = rowOf(rows, "idle").pid!
      // Beside the leader: an older process with its session id (the id was reused), a zombie,
      // a process of another session, and a child started later.
      yield* table.add({ pid: 5000, sid: pid, pgid: pid, startTime: 0 }, { rssBytes: MiB })
      yield* table.add({ pid: 5001, sid: pid, pgid: pid, state: "Z" }, { rssBytes: MiB })
      yield* table.add({ pid: 5002 }, { rssBytes: MiB })
      yield* table.add({ pid: 5003, sid: pid, pgid: pid }, { rssBytes: MiB, cpuPercent: 100 })
      assert.strictEqual(byId.get("idle")!.processes, 1)
      const [again] = yield* runWithClock(statsFor([rowOf(rows, "idle")]))
      assert.deepStrictEqual([again!.processes, again!.rssBytes, again!.cpuPercent], [2, 11 * MiB, 100])
    }).pipe(Effect.provide(fleet))
  )

  it.effect("a session that ends between the two samples has no memory left and no CPU", () =>
    Effect.gen(function* () {
      const { byId } = yield* sampled(
        FakeProcessTable.FakeProcessTable.use((t) =>
          t.setBehaviour("short", { wrapper: true, crashAfterMs: 2000 + sampleIntervalMs / 2, cpuPercent: 100 })
        )
      )
      const short = byId.get("short")!
      assert.deepStrictEqual([short.processes, short.rssBytes, short.cpuPercent], [2, 0, 0])
    }).pipe(Effect.provide(fleet))
  )

  it.effect("a leader that exited since the listing has no processes", () =>
    Effect.gen(function* () {
      const { rows } = yield* sampled(Effect.void)
      const table = yield* FakeProcessTable.FakeProcessTable
      const busy = rowOf(rows, "busy")
      yield* table.exit(busy.pid!)
      const [stats] = yield* runWithClock(statsFor([busy]))
      assert.deepStrictEqual(
        [stats!.status, stats!.processes, stats!.rssBytes, stats!.cpuPercent],
        ["running", 0, null, null]
      )
    }).pipe(Effect.provide(fleet))
  )

  it.effect("stats encode to the keys of `stats --json` and decode back", () =>
    Effect.gen(function* () {
      const { stats } = yield* sampled(Effect.void)
      for (const s of stats) {
        const json: unknown = JSON.parse(JSON.stringify(Schema.encodeUnknownSync(AgentStats)(s)))
        assert.deepStrictEqual(Object.keys(json as object).toSorted(), [
          "cpuPercent",
          "id",
          "logBytes",
          "logs",
          "pid",
          "processes",
          "restarts",
          "rssBytes",
          "status",
          "uptime"
        ])
        assert.deepStrictEqual(Schema.decodeUnknownResult(AgentStats)(json), Result.succeed(s))
      }
      assert.isTrue(Result.isFailure(Schema.decodeUnknownResult(AgentStats)({ ...stats[0], processes: 1.5 })))
    }).pipe(Effect.provide(fleet))
  )

  it.effect("nothing running: no sampling interval to wait for", () =>
    Effect.gen(function* () {
      const rows = yield* (yield* Control).list
      const t0 = yield* Clock.currentTimeMillis
      const stats = yield* runWithClock(statsFor(rows))
      assert.strictEqual((yield* Clock.currentTimeMillis) - t0, 0)
      assert.isTrue(stats.every((s) => s.processes === 0 && s.rssBytes === null && s.cpuPercent === null))
      assert.strictEqual(stats.length, 4)
    }).pipe(Effect.provide(fleet))
  )
})
