import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { Control } from "../src/Control.ts"
import * as Daemonless from "../src/Daemonless.ts"
import { RunDir } from "../src/RunDir.ts"
import * as FakeFleetLock from "../src/testing/FakeFleetLock.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as FakeProbeRunner from "../src/testing/FakeProbeRunner.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"

const agent = (id: string, extra = "", enabled = true) =>
  `agent:\n  id: ${id}\n  name: Agent ${id}\n  enabled: ${enabled}\nrun:\n  command: sleep\n  args: [600]\n${extra}`

const fleetOf = (files: Record<string, string>) =>
  Layer.mergeAll(
    FakeProcessTable.layer,
    FakeProbeRunner.layer,
    MemoryFleet.makeLayer(files, { PATH: "/usr/bin", HOME: "/root" })
  )

const all = { _tag: "All" } as const
const ids = (...list: Array<string>) => ({ _tag: "Ids", ids: list }) as const

describe("Daemonless", () => {
  it.effect("start --all starts every enabled agent once, with the marker and merged env", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      const out = yield* Daemonless.start(all)
      assert.deepStrictEqual(
        out.map((o) => [o.id, o.result]),
        [
          ["a1", "started"],
          ["a2", "started"]
        ]
      )
      const spawned = yield* table.spawned
      assert.strictEqual(spawned.length, 2)
      assert.strictEqual(spawned[0]!.env.AGENTCTL_AGENT, "a1")
      assert.strictEqual(spawned[0]!.env.AGENTCTL_FLEET, MemoryFleet.fakeRoot)
      assert.strictEqual(spawned[0]!.env.FROM_DOTENV, "fleet")
      assert.strictEqual(spawned[0]!.env.LEVEL, "run-env-wins")
      assert.deepStrictEqual(spawned[0]!.args, ["600"])
      assert.strictEqual(spawned[0]!.cwd, `${MemoryFleet.fakeRoot}/agents/a1`)
      const again = yield* Daemonless.start(all)
      assert.deepStrictEqual(
        again.map((o) => o.result),
        ["already-running", "already-running"]
      )
      assert.strictEqual((yield* table.spawned).length, 2)
      const rows = yield* Daemonless.list()
      assert.deepStrictEqual(
        rows.map((r) => [r.id, r.status, r.instances]),
        [
          ["a1", "running", 1],
          ["a2", "running", 1],
          ["off", "disabled", 0],
          [null, "invalid", 0]
        ]
      )
    }).pipe(
      Effect.provide(
        fleetOf({
          ".env": "FROM_DOTENV=fleet\nLEVEL=dotenv\n",
          "agents/a1/config.yaml": agent("a1", "  env: { LEVEL: run-env-wins }\n"),
          "agents/a2/config.yaml": agent("a2"),
          "agents/off/config.yaml": agent("off", "", false),
          "agents/zbad/config.yaml": "agent:\n  id: [oops\n"
        })
      )
    )
  )

  it.effect("stop escalates to SIGKILL after the agent's stop_timeout, and only then", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.setBehaviour("stubborn", { ignoresTerm: true })
      yield* Daemonless.start(all)
      const fiber = yield* Effect.forkChild(Daemonless.stop(all))
      yield* TestClock.adjust("2900 millis")
      assert.isUndefined(fiber.pollUnsafe())
      assert.deepStrictEqual(
        (yield* table.signals).map((s) => s.signal),
        ["SIGTERM"]
      )
      yield* TestClock.adjust("300 millis")
      const [out] = yield* Fiber.join(fiber)
      assert.strictEqual(out!.result, "stopped")
      assert.isTrue(out!.escalated)
      assert.deepStrictEqual(
        (yield* table.signals).map((s) => s.signal),
        ["SIGTERM", "SIGKILL"]
      )
      assert.strictEqual((yield* table.alive).length, 0)
      assert.isNull(yield* (yield* RunDir).readPidRecord("stubborn"))
    }).pipe(Effect.provide(fleetOf({ "agents/s/config.yaml": agent("stubborn", "  stop_timeout: 3s\n") })))
  )

  it.effect("stopping 100 SIGTERM-ignoring agents costs one timeout, not 100", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      for (let i = 0; i < 100; i++) yield* table.setBehaviour(`s${i}`, { ignoresTerm: true })
      yield* Daemonless.start(all)
      assert.strictEqual((yield* table.alive).length, 100)
      const out = yield* runWithClock(Daemonless.stop(all, 2000))
      assert.strictEqual(out.filter((o) => o.escalated).length, 100)
      assert.strictEqual((yield* table.alive).length, 0)
    }).pipe(
      Effect.provide(
        fleetOf(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`agents/s${i}/config.yaml`, agent(`s${i}`)])))
      )
    )
  )

  it.effect("a recycled pid is never running and never signalled", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      const runDir = yield* RunDir
      // The record says pid 4242 started at t=0; the process now at 4242 started later: someone else's.
      yield* runDir.writePidRecord("a1", { pid: 4242, startTime: 0, bootId: FakeProcessTable.fakeBootId, startedAt: 0 })
      yield* TestClock.adjust("5 seconds")
      yield* table.add({ pid: 4242, comm: "sleep" })
      const row = yield* Daemonless.status("a1")
      assert.strictEqual(row.status, "exited")
      assert.strictEqual(row.detail._tag === "Exited" && row.detail.recycled, true)
      const [stopped] = yield* Daemonless.stop(ids("a1"))
      assert.strictEqual(stopped!.result, "not-running")
      assert.isTrue(stopped!.removedStaleRecord)
      const [killed] = yield* Daemonless.kill(ids("a1"))
      assert.strictEqual(killed!.result, "not-running")
      assert.deepStrictEqual(yield* table.signals, [])
      assert.strictEqual((yield* table.alive).length, 1)
    }).pipe(Effect.provide(fleetOf({ "agents/a1/config.yaml": agent("a1") })))
  )

  it.effect("a record from another boot is stale even when the pid and start time match", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      const runDir = yield* RunDir
      yield* table.add({ pid: 4242, startTime: 0 })
      yield* runDir.writePidRecord("a1", { pid: 4242, startTime: 0, bootId: "earlier-boot", startedAt: 0 })
      assert.strictEqual((yield* Daemonless.status("a1")).status, "exited")
    }).pipe(Effect.provide(fleetOf({ "agents/a1/config.yaml": agent("a1") })))
  )

  it.effect("a stale record is repaired from the marker; duplicates are counted and all stopped", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      const runDir = yield* RunDir
      yield* Daemonless.start(all)
      yield* runDir.removePidRecord("a1")
      const marker = { fleet: MemoryFleet.fakeRoot, agent: "a1" }
      yield* TestClock.adjust("1 second")
      yield* table.add({ pid: 7000, marker, comm: "sleep" })
      const row = yield* Daemonless.status("a1")
      assert.strictEqual(row.status, "running")
      assert.strictEqual(row.instances, 2)
      const [again] = yield* Daemonless.start(ids("a1"))
      assert.strictEqual(again!.result, "already-running")
      assert.isNotNull(yield* runDir.readPidRecord("a1"))
      const [stopped] = yield* runWithClock(Daemonless.stop(ids("a1")))
      assert.strictEqual(stopped!.pids.length, 2)
      assert.strictEqual((yield* table.alive).length, 0)
    }).pipe(Effect.provide(fleetOf({ "agents/a1/config.yaml": agent("a1") })))
  )

  it.effect("a wrapper and its child are one instance; stop signals the group", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.setBehaviour("w", { wrapper: true })
      yield* Daemonless.start(all)
      assert.strictEqual((yield* table.alive).length, 2)
      const row = yield* Daemonless.status("w")
      assert.strictEqual(row.instances, 1)
      yield* runWithClock(Daemonless.stop(all))
      assert.deepStrictEqual(
        (yield* table.signals).map((s) => s.group),
        [true]
      )
      assert.strictEqual((yield* table.alive).length, 0)
    }).pipe(Effect.provide(fleetOf({ "agents/w/config.yaml": agent("w") })))
  )

  it.effect("a crashed agent shows as exited; start replaces the stale record", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.setBehaviour("c", { crashAfterMs: 3000 })
      const [first] = yield* Daemonless.start(all)
      yield* TestClock.adjust("4 seconds")
      assert.strictEqual((yield* Daemonless.status("c")).status, "exited")
      yield* table.setBehaviour("c", {})
      const [second] = yield* Daemonless.start(all)
      assert.strictEqual(second!.result, "started")
      assert.notStrictEqual(second!.pid, first!.pid)
      assert.strictEqual((yield* Daemonless.status("c")).pid, second!.pid)
    }).pipe(Effect.provide(fleetOf({ "agents/c/config.yaml": agent("c") })))
  )

  it.effect("a spawn failure is reported for that agent and does not stop the others", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.setBehaviour("nope", { notFound: true })
      const out = yield* Daemonless.start(all)
      assert.deepStrictEqual(
        out.map((o) => o.result),
        ["started", "failed"]
      )
      assert.match(out[1]!.error ?? "", /not found/)
    }).pipe(Effect.provide(fleetOf({ "agents/a/config.yaml": agent("a"), "agents/b/config.yaml": agent("nope") })))
  )

  it.effect("unknown ids fail before anything starts; duplicate ids name both files", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      const err = yield* Effect.flip(Daemonless.start(ids("a", "ghost")))
      assert.strictEqual(err._tag, "AgentNotFound")
      assert.strictEqual((yield* table.spawned).length, 0)
      const dup = yield* Effect.flip(Daemonless.start(ids("twin")))
      assert.strictEqual(dup._tag, "ConfigInvalid")
      assert.match(dup.message, /agents\/t1\/config.yaml.*agents\/t2\/config.yaml/)
      const rows = yield* Daemonless.list()
      assert.deepStrictEqual(
        rows.map((r) => r.status),
        ["stopped", "invalid", "invalid"]
      )
    }).pipe(
      Effect.provide(
        fleetOf({
          "agents/a/config.yaml": agent("a"),
          "agents/t1/config.yaml": agent("twin"),
          "agents/t2/config.yaml": agent("twin")
        })
      )
    )
  )

  it.effect("enable/disable rewrite only agent.enabled", () =>
    Effect.gen(function* () {
      const out = yield* Daemonless.setEnabled("a", false)
      assert.isTrue(out.changed)
      assert.strictEqual((yield* Daemonless.status("a")).status, "disabled")
      const again = yield* Daemonless.setEnabled("a", false)
      assert.isFalse(again.changed)
    }).pipe(Effect.provide(fleetOf({ "agents/a/config.yaml": `# keep me\n${agent("a")}` })))
  )

  it.effect("a pid recycled while stop waits is never signalled", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.setBehaviour("slow", { termDelayMs: 500 })
      const [started] = yield* Daemonless.start(all)
      const pid = started!.pid!
      const stopping = yield* Effect.forkChild(Daemonless.stop(all, 1000))
      yield* TestClock.adjust("600 millis")
      // Our agent exited at 500 ms; its pid now belongs to an unrelated session leader.
      yield* table.add({ pid, comm: "stranger" })
      yield* TestClock.adjust("3 seconds")
      const [out] = yield* Fiber.join(stopping)
      assert.strictEqual(out!.result, "stopped")
      assert.isFalse(out!.escalated)
      assert.deepStrictEqual(
        (yield* table.signals).map((s) => s.signal),
        ["SIGTERM"]
      )
      assert.deepStrictEqual(
        (yield* table.alive).map((p) => p.comm),
        ["stranger"]
      )
    }).pipe(Effect.provide(fleetOf({ "agents/s/config.yaml": agent("slow") })))
  )

  it.effect("every change holds the fleet lock; once a launcher owns the fleet, the command is sent to it", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      const registry = yield* FakeFleetLock.FakeLauncherRegistry
      const control = yield* Control
      yield* control.start(all)
      yield* runWithClock(control.stop(ids("a")))
      yield* control.setEnabled("a", false)
      assert.strictEqual(yield* registry.entered, 3)
      yield* registry.register(4242)
      const refused = yield* Effect.flip(control.start(all))
      assert.deepStrictEqual(
        [refused._tag, refused.message],
        ["LauncherActive", "a launcher (pid 4242) supervises this fleet; ask it instead"]
      )
      // Refused before anything was done: the one spawn is the first start's.
      assert.strictEqual((yield* table.spawned).length, 1)
      // Reads need no lock.
      assert.strictEqual((yield* control.list).length, 1)
    }).pipe(Effect.provide(Daemonless.layer.pipe(Layer.provideMerge(fleetOf({ "agents/a/config.yaml": agent("a") })))))
  )

  it.effect("stop reaches a worker session the agent started (setsid), and reports every pid", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.setBehaviour("w", { worker: true })
      const [started] = yield* Daemonless.start(all)
      assert.strictEqual((yield* table.alive).length, 2)
      const [row] = yield* Daemonless.list()
      assert.strictEqual(row!.instances, 1)
      const [out] = yield* runWithClock(Daemonless.stop(all))
      assert.deepStrictEqual(out!.pids.toSorted(), [started!.pid!, started!.pid! + 1])
      assert.strictEqual((yield* table.alive).length, 0)
    }).pipe(Effect.provide(fleetOf({ "agents/w/config.yaml": agent("w") })))
  )

  it.effect("a worker that appears while the agent stops is signalled too", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.setBehaviour("slow", { termDelayMs: 500 })
      const [started] = yield* Daemonless.start(all)
      const stopping = yield* Effect.forkChild(Daemonless.stop(all, 2000))
      yield* TestClock.adjust("50 millis")
      // It forks a worker into a session of its own while shutting down.
      const worker = yield* table.add({
        pid: 9000,
        ppid: started!.pid!,
        marker: { fleet: MemoryFleet.fakeRoot, agent: "slow" }
      })
      yield* TestClock.adjust("1 second")
      const [out] = yield* Fiber.join(stopping)
      assert.include(out!.pids, worker.pid)
      assert.strictEqual((yield* table.alive).length, 0)
    }).pipe(Effect.provide(fleetOf({ "agents/s/config.yaml": agent("slow") })))
  )
})
