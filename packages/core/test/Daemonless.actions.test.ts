import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { afterKillPollMs, killGraceMs, stopPlans } from "../src/AgentProcesses.ts"
import { Control } from "../src/Control.ts"
import * as Daemonless from "../src/Daemonless.ts"
import { indexSnapshot, resolveAgent } from "../src/Identity.ts"
import { Prober } from "../src/Prober.ts"
import { RunDir } from "../src/RunDir.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as FakeProbeRunner from "../src/testing/FakeProbeRunner.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"

/* The daemonless commands one by one: what each does to processes and records, and what it says. */

const agent = (id: string, extra = "", enabled = true) =>
  `agent:\n  id: ${id}\n  enabled: ${enabled}\nrun:\n  command: sleep\n${extra}`
const fleetOf = (files: Record<string, string>) =>
  Layer.mergeAll(FakeProcessTable.layer, FakeProbeRunner.layer, MemoryFleet.makeLayer(files))
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

const signalsOf = Effect.map(
  FakeProcessTable.FakeProcessTable.use((t) => t.signals),
  (s) => s.map((x) => [x.target, x.signal] as const)
)
const behave = (id: string, behaviour: FakeProcessTable.Behaviour) =>
  FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour(id, behaviour))

describe("Daemonless status, start and records", () => {
  it.effect("status is the row of the agent asked for", () =>
    Effect.gen(function* () {
      yield* Daemonless.start(ids("b"))
      const b = yield* Daemonless.status("b")
      assert.deepStrictEqual([b.id, b.status], ["b", "running"])
      assert.deepStrictEqual(
        [(yield* Daemonless.status("a")).id, (yield* Daemonless.status("a")).status],
        ["a", "stopped"]
      )
    }).pipe(
      Effect.provide(
        fleetOf({
          "agents/0bad/config.yaml": "agent: [",
          "agents/a/config.yaml": agent("a"),
          "agents/b/config.yaml": agent("b")
        })
      )
    )
  )

  it.effect("start of a running agent rewrites a missing pid record and leaves a good one alone", () =>
    Effect.gen(function* () {
      const runDir = yield* RunDir
      const [a, b] = yield* Daemonless.start(all)
      const recordB = yield* runDir.readPidRecord("b")
      yield* runDir.removePidRecord("a")
      yield* TestClock.adjust("5 seconds")
      const again = yield* Daemonless.start(all)
      assert.deepStrictEqual(
        again.map((o) => [o.id, o.result, o.pid]),
        [
          ["a", "already-running", a!.pid],
          ["b", "already-running", b!.pid]
        ]
      )
      assert.deepStrictEqual(yield* runDir.readPidRecord("a"), {
        pid: a!.pid!,
        startTime: 0,
        bootId: FakeProcessTable.fakeBootId,
        startedAt: 5000
      })
      assert.deepStrictEqual(yield* runDir.readPidRecord("b"), recordB)
    }).pipe(Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a"), "agents/b/config.yaml": agent("b") })))
  )

  it.effect("an agent that dies before it is seen is recorded without a start time", () =>
    Effect.gen(function* () {
      yield* behave("a", { crashAfterMs: 0 })
      const [out] = yield* Daemonless.start(ids("a"))
      assert.strictEqual(out!.result, "started")
      const { spawned, ...record } = (yield* (yield* RunDir).readPidRecord("a"))!
      assert.deepStrictEqual(record, {
        pid: out!.pid!,
        startTime: null,
        bootId: FakeProcessTable.fakeBootId,
        startedAt: 0
      })
      // What it was started with is recorded with it, for drift.
      assert.strictEqual(spawned?.spec.env.AGENTCTL_AGENT?.value, "a")
      assert.strictEqual((yield* Daemonless.status("a")).status, "exited")
    }).pipe(Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a") })))
  )

  it.effect("start --all spawns 16 agents at a time", () =>
    Effect.gen(function* () {
      for (let i = 0; i < 20; i++) yield* behave(`s${i}`, { spawnDelayMs: 1000 })
      const out = yield* runWithClock(Daemonless.start(all))
      assert.strictEqual(out.filter((o) => o.result === "started").length, 20)
      assert.strictEqual(yield* Clock.currentTimeMillis, 2000)
    }).pipe(
      Effect.provide(
        fleetOf(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`agents/s${i}/config.yaml`, agent(`s${i}`)])))
      )
    )
  )

  it.effect("an unreadable pid record is reported on its row; the rest of the fleet is listed", () =>
    Effect.gen(function* () {
      const rows = yield* Daemonless.list()
      assert.deepStrictEqual(
        rows.map((r) => [r.id, r.status]),
        [
          ["a", "stopped"],
          ["b", "stopped"]
        ]
      )
      assert.isTrue(rows[0]!.error?.startsWith(`cannot parse ${MemoryFleet.fakeRoot}/run/a.pid: `))
      assert.isNull(rows[1]!.error)
    }).pipe(
      Effect.provide(
        fleetOf({ "agents/a/config.yaml": agent("a"), "agents/b/config.yaml": agent("b"), "run/a.pid": "{not json" })
      )
    )
  )

  it.effect("no ids and no --all is a usage error, before anything is done", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Daemonless.start(ids()))
      assert.deepStrictEqual([error._tag, error.message], ["UsageError", "name at least one agent id, or use --all"])
      assert.deepStrictEqual(yield* FakeProcessTable.FakeProcessTable.use((t) => t.spawned), [])
    }).pipe(Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a") })))
  )
})

describe("Daemonless stop and kill", () => {
  it.effect("SIGKILL goes out at the stop_timeout, not a poll later; a stuck process is given up after the grace", () =>
    Effect.gen(function* () {
      yield* behave("a", { ignoresTerm: true, ignoresKill: true })
      yield* Daemonless.start(all)
      yield* TestClock.adjust("1 second")
      const t0 = yield* Clock.currentTimeMillis
      const stopping = yield* Effect.forkChild(Daemonless.stop(all))
      yield* TestClock.adjust("2900 millis")
      assert.deepStrictEqual(
        (yield* signalsOf).map(([, signal]) => signal),
        ["SIGTERM"]
      )
      yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(
        (yield* signalsOf).map(([, signal]) => signal),
        ["SIGTERM", "SIGKILL"]
      )
      yield* TestClock.adjust("1900 millis")
      assert.isUndefined(stopping.pollUnsafe())
      yield* TestClock.adjust("100 millis")
      const [out] = yield* Fiber.join(stopping)
      assert.strictEqual((yield* Clock.currentTimeMillis) - t0, 3000 + killGraceMs)
      assert.deepStrictEqual([out!.result, out!.escalated], ["stopped", true])
    }).pipe(Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a", "  stop_timeout: 3s\n") })))
  )

  it.effect("--timeout replaces the agent's stop_timeout", () =>
    Effect.gen(function* () {
      yield* behave("a", { ignoresTerm: true })
      const [started] = yield* Daemonless.start(all)
      const out = yield* runWithClock(Daemonless.stop(all, 1000), { step: "5 millis" })
      assert.deepStrictEqual(out, [
        { id: "a", result: "stopped", pids: [started!.pid!], escalated: true, removedStaleRecord: false }
      ])
      // SIGKILL at 1 s; seen gone at the next look, which comes soon after a kill.
      assert.strictEqual(yield* Clock.currentTimeMillis, 1000 + afterKillPollMs)
    }).pipe(Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a", "  stop_timeout: 30s\n") })))
  )

  it.effect("each agent escalates at its own deadline, whatever is stuck beside it", () =>
    Effect.gen(function* () {
      yield* behave("stuck", { ignoresTerm: true, ignoresKill: true })
      yield* behave("slow", { ignoresTerm: true })
      yield* Daemonless.start(all)
      const out = yield* runWithClock(Daemonless.stop(all))
      assert.deepStrictEqual(
        out.map((o) => [o.id, o.escalated]),
        [
          ["slow", true],
          ["stuck", true]
        ]
      )
      const alive = yield* FakeProcessTable.FakeProcessTable.use((t) => t.alive)
      assert.deepStrictEqual(
        alive.map((p) => p.marker?.agent),
        ["stuck"]
      )
    }).pipe(
      Effect.provide(
        fleetOf({
          "agents/slow/config.yaml": agent("slow", "  stop_timeout: 5s\n"),
          "agents/stuck/config.yaml": agent("stuck", "  stop_timeout: 1s\n")
        })
      )
    )
  )

  it.effect("an agent stopped with SIGKILL itself was not escalated, even when it will not die", () =>
    Effect.gen(function* () {
      yield* behave("a", { ignoresKill: true })
      yield* Daemonless.start(all)
      const [out] = yield* runWithClock(Daemonless.stop(all))
      assert.deepStrictEqual([out!.result, out!.escalated], ["stopped", false])
    }).pipe(
      Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a", "  stop_signal: SIGKILL\n  stop_timeout: 1s\n") }))
    )
  )

  it.effect("kill sends SIGKILL only, names the pids, removes the record; a stale record goes too", () =>
    Effect.gen(function* () {
      const runDir = yield* RunDir
      yield* behave("a", { ignoresTerm: true, wrapper: true })
      const [a] = yield* Daemonless.start(ids("a"))
      yield* runDir.writePidRecord("gone", {
        pid: 4242,
        startTime: 1,
        bootId: FakeProcessTable.fakeBootId,
        startedAt: 0
      })
      const out = yield* runWithClock(Daemonless.kill(all))
      assert.deepStrictEqual(out, [
        { id: "a", result: "killed", pids: [a!.pid!, a!.pid! + 1] },
        { id: "gone", result: "not-running", pids: [] },
        { id: "off", result: "not-running", pids: [] }
      ])
      assert.deepStrictEqual(yield* signalsOf, [[a!.pid!, "SIGKILL"]])
      assert.deepStrictEqual([yield* runDir.readPidRecord("a"), yield* runDir.readPidRecord("gone")], [null, null])
    }).pipe(
      Effect.provide(
        fleetOf({
          "agents/a/config.yaml": agent("a"),
          "agents/gone/config.yaml": agent("gone"),
          "agents/off/config.yaml": agent("off", "", false)
        })
      )
    )
  )

  it.effect("stop --all and kill --all reach a disabled agent started by id", () =>
    Effect.gen(function* () {
      yield* Daemonless.start(ids("off"))
      const [stopped] = yield* runWithClock(Daemonless.stop(all))
      assert.deepStrictEqual([stopped!.id, stopped!.result], ["off", "stopped"])
      yield* Daemonless.start(ids("off"))
      const [killed] = yield* runWithClock(Daemonless.kill(all))
      assert.deepStrictEqual([killed!.id, killed!.result], ["off", "killed"])
    }).pipe(Effect.provide(fleetOf({ "agents/off/config.yaml": agent("off", "", false) })))
  )

  it.effect("a copy that appears while the duplicates stop is stopped too; the instance to keep is not", () =>
    Effect.gen(function* () {
      const t = yield* FakeProcessTable.FakeProcessTable
      const marker = { fleet: MemoryFleet.fakeRoot, agent: "a" }
      yield* t.add({ pid: 4000, marker })
      yield* t.add({ pid: 4001, marker }, { termDelayMs: 300 })
      const index = indexSnapshot(yield* (yield* Prober).snapshot)
      const [kept, duplicate] = resolveAgent(index, MemoryFleet.fakeRoot, "a", null).instances
      const stopping = yield* Effect.forkChild(
        stopPlans(
          [{ id: "a", instances: [duplicate!], keep: [kept!], signal: "SIGTERM", timeoutMs: 5000, staleRecord: false }],
          index,
          { removeRecords: false }
        )
      )
      yield* TestClock.adjust("50 millis")
      // Started by hand meanwhile: the agent's too, and not the one to keep. It takes longer to go.
      yield* t.add({ pid: 4002, marker }, { termDelayMs: 400 })
      const { outcomes } = yield* runWithClock(Fiber.join(stopping))
      // Done only once every signalled process is gone.
      const alive = yield* t.alive
      assert.deepStrictEqual(
        alive.map((p) => p.pid),
        [4000]
      )
      assert.deepStrictEqual(outcomes[0]!.pids, [4001, 4002])
    }).pipe(Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a") })))
  )

  it.effect("a group that vanished between the look and the signal is what the stop wanted", () =>
    Effect.gen(function* () {
      const t = yield* FakeProcessTable.FakeProcessTable
      const [a] = yield* Daemonless.start(all)
      const index = indexSnapshot(yield* (yield* Prober).snapshot)
      const instances = resolveAgent(index, MemoryFleet.fakeRoot, "a", null).instances
      yield* t.exit(a!.pid!)
      const { outcomes } = yield* runWithClock(
        stopPlans([{ id: "a", instances, signal: "SIGTERM", timeoutMs: 1000, staleRecord: false }], index, {
          removeRecords: true
        })
      )
      assert.deepStrictEqual(outcomes, [
        { id: "a", result: "stopped", pids: [a!.pid!], escalated: false, removedStaleRecord: false }
      ])
    }).pipe(Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a") })))
  )
})

describe("Daemonless.layer", () => {
  const layer = Daemonless.layer.pipe(
    Layer.provideMerge(
      fleetOf({
        "agents/a/config.yaml": agent("a"),
        "agents/off/config.yaml": agent("off", "", false),
        "agents/t/config.yaml": "on: &on true\nagent:\n  id: tagged\n  enabled: *on\nrun:\n  command: sleep\n"
      })
    )
  )

  it.effect("says it is daemonless; restart and kill act; reload asks for a launcher", () =>
    Effect.gen(function* () {
      const control = yield* Control
      assert.strictEqual(control.supervisor, "daemonless")
      const [started] = yield* control.start(all)
      const [restarted] = yield* runWithClock(control.restart(ids("a")))
      assert.deepStrictEqual([restarted!.stop.pids, restarted!.start.result], [[started!.pid!], "started"])
      const [killed] = yield* runWithClock(control.kill(ids("a")))
      assert.deepStrictEqual([killed!.result, killed!.pids], ["killed", [restarted!.start.pid!]])
      const toggled = yield* control.setEnabled("off", true)
      assert.deepStrictEqual([toggled.id, toggled.enabled, toggled.changed], ["off", true, true])
      // A form agentctl will not rewrite: the error names the file and what to do.
      const tagged = yield* Effect.flip(control.setEnabled("tagged", false))
      assert.deepStrictEqual(
        [tagged._tag, tagged.message],
        ["ConfigInvalid", "agent.enabled is an alias (*on), not a value; edit it by hand"]
      )
      assert.strictEqual(tagged._tag === "ConfigInvalid" && tagged.file, `${MemoryFleet.fakeRoot}/agents/t/config.yaml`)
      const reload = yield* Effect.flip(control.reload)
      assert.deepStrictEqual(
        [reload._tag, reload.message],
        ["UsageError", "reload applies config changes to a running launcher; none is running (agentctl launcher start)"]
      )
    }).pipe(Effect.provide(layer))
  )
})
