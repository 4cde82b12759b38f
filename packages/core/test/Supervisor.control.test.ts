import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { killGraceMs } from "../src/AgentProcesses.ts"
import { ConfigSource } from "../src/ConfigSource.ts"
import { Control } from "../src/Control.ts"
import { RunDir } from "../src/RunDir.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"
import {
  agent,
  aliveOf,
  behave,
  recordEvents,
  runningByHand,
  spawnTimes,
  withSupervisor,
  writeFile
} from "./supervisorHarness.ts"

/* The launcher's Control, action by action: what each does to the processes and what it says. */

const ids = (...list: Array<string>) => ({ _tag: "Ids", ids: list }) as const
const all = { _tag: "All" } as const
const statusOf = (id: string) => Control.use((c) => c.status(id))
const signalsOf = Effect.map(
  FakeProcessTable.FakeProcessTable.use((t) => t.signals),
  (s) => s.map((x) => [x.target, x.signal] as const)
)

describe("Supervisor: list and status", () => {
  it.effect("every config file is a row, answered by the launcher; an invalid or unknown id is an error", () =>
    withSupervisor(
      {
        "agents/a/config.yaml": agent("a"),
        "agents/bad/config.yaml": "agent:\n  id: bad\nrun: {}\n",
        "agents/off/config.yaml": agent("off").replace("agent:\n", "agent:\n  enabled: false\n")
      },
      Effect.void,
      Effect.gen(function* () {
        const control = yield* Control
        assert.strictEqual(control.supervisor, "launcher")
        const rows = yield* control.list
        assert.deepStrictEqual(
          rows.map((r) => [r.id, r.status, r.enabled, r.supervisor]),
          [
            ["a", "running", true, "launcher"],
            ["bad", "invalid", false, "launcher"],
            ["off", "disabled", false, "launcher"]
          ]
        )
        const off = yield* statusOf("off")
        assert.deepStrictEqual([off.id, off.status, off.pid], ["off", "disabled", null])
        const a = yield* statusOf("a")
        assert.deepStrictEqual([a.id, a.status, a.reason], ["a", "running", `running as pid ${a.pid}`])
        const bad = yield* Effect.flip(statusOf("bad"))
        assert.strictEqual(bad._tag, "ConfigInvalid")
        const nope = yield* Effect.flip(statusOf("nope"))
        assert.strictEqual(nope._tag, "AgentNotFound")
      })
    )
  )
})

describe("Supervisor: start", () => {
  it.effect("start of a supervised agent is already-running with its pid, and starts nothing", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      Effect.void,
      Effect.gen(function* () {
        const pid = (yield* statusOf("a")).pid
        const out = yield* runWithClock(Control.use((c) => c.start(ids("a"))))
        assert.deepStrictEqual(out, [{ id: "a", result: "already-running", pid, error: null }])
        assert.strictEqual((yield* spawnTimes("a")).length, 1)
      })
    )
  )

  it.effect("start --all starts the enabled agents only; start by id starts a disabled one", () =>
    withSupervisor(
      {
        "agents/a/config.yaml": agent("a", "  restart: never\n"),
        "agents/off/config.yaml": agent("off").replace("agent:\n", "agent:\n  enabled: false\n")
      },
      behave("a", { crashAfterMs: 100 }),
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* statusOf("a")).status, "exited")
        yield* behave("a", {})
        const out = yield* runWithClock(Control.use((c) => c.start(all)))
        assert.deepStrictEqual(
          out.map((o) => [o.id, o.result]),
          [["a", "started"]]
        )
        assert.strictEqual((yield* spawnTimes("off")).length, 0)
        const [off] = yield* runWithClock(Control.use((c) => c.start(ids("off"))))
        assert.deepStrictEqual([off!.id, off!.result], ["off", "started"])
        const row = yield* statusOf("off")
        assert.deepStrictEqual([row.status, row.pid], ["running", off!.pid])
      })
    )
  )

  it.effect("a start that cannot read the process table fails with the reason and starts nothing", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a", "  restart: never\n") },
      behave("a", { crashAfterMs: 100 }),
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        yield* FakeProcessTable.FakeProcessTable.use((t) => t.failProbes(true))
        const out = yield* runWithClock(Control.use((c) => c.start(ids("a"))))
        assert.deepStrictEqual(out, [
          { id: "a", result: "failed", pid: null, error: "cannot read the process table from /proc: fake: failing" }
        ])
        assert.strictEqual((yield* spawnTimes("a")).length, 1)
        assert.strictEqual((yield* statusOf("a")).status, "exited")
      })
    )
  )

  it.effect("start of an agent whose state cannot be read is already-running: never a second copy on a guess", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      Effect.asVoid(runningByHand("a", 4000, true)),
      Effect.gen(function* () {
        yield* FakeProcessTable.FakeProcessTable.use((t) => t.failProbes(true))
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* statusOf("a")).status, "unknown")
        const out = yield* runWithClock(Control.use((c) => c.start(ids("a"))))
        assert.deepStrictEqual(out, [{ id: "a", result: "already-running", pid: 4000, error: null }])
        assert.strictEqual((yield* spawnTimes("a")).length, 0)
      })
    )
  )

  it.effect("a manual start says starting, then running, and keeps the count of restarts", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      behave("c", { crashAfterMs: 1000 }),
      Effect.gen(function* () {
        yield* TestClock.adjust("25 seconds")
        assert.deepStrictEqual([(yield* statusOf("c")).status, (yield* statusOf("c")).restarts], ["gave-up", 4])
        yield* behave("c", {})
        const events = yield* recordEvents(yield* Control.use((c) => Effect.succeed(c.events)))
        const [out] = yield* runWithClock(Control.use((c) => c.start(ids("c"))))
        const seen = (yield* events.take).map((e) => [e.id, e.status, e.message])
        assert.deepStrictEqual(seen, [
          ["c", "starting", "starting"],
          ["c", "running", `running as pid ${out!.pid}`]
        ])
        assert.strictEqual((yield* statusOf("c")).restarts, 4)
      })
    )
  )

  it.effect("start --all spawns agents side by side: 20 slow spawns cost two spawn times, not twenty", () =>
    withSupervisor(
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`agents/s${i}/config.yaml`, agent(`s${i}`)])),
      Effect.void,
      Effect.gen(function* () {
        yield* runWithClock(Control.use((c) => c.stop(all)))
        for (let i = 0; i < 20; i++) yield* behave(`s${i}`, { spawnDelayMs: 1000 })
        const t0 = yield* Clock.currentTimeMillis
        const out = yield* runWithClock(Control.use((c) => c.start(all)))
        assert.isTrue(out.every((o) => o.result === "started"))
        // 16 at a time: two rounds.
        assert.isAtMost((yield* Clock.currentTimeMillis) - t0, 2100)
      })
    )
  )
})

describe("Supervisor: start, while it supervises", () => {
  it.effect("start of a supervised running agent changes nothing and says nothing", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      behave("a", { crashAfterMs: 5000, exitCode: 3 }),
      Effect.gen(function* () {
        const events = yield* recordEvents(yield* Control.use((c) => Effect.succeed(c.events)))
        yield* runWithClock(Control.use((c) => c.start(ids("a"))))
        assert.deepStrictEqual(yield* events.take, [])
        // Still its child: the exit code is known when it crashes.
        yield* TestClock.adjust("5 seconds")
        assert.match((yield* statusOf("a")).reason, /^crashed \(exit code 3\)/)
      })
    )
  )

  it.effect("start while it waits to restart starts it now", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      behave("c", { crashAfterMs: 1000 }),
      Effect.gen(function* () {
        yield* TestClock.adjust("1500 millis")
        assert.strictEqual((yield* statusOf("c")).status, "backoff")
        yield* behave("c", {})
        const [out] = yield* Control.use((c) => c.start(ids("c")))
        assert.strictEqual(out!.result, "started")
        assert.deepStrictEqual(yield* spawnTimes("c"), [0, 1500])
        yield* TestClock.adjust("10 seconds")
        assert.deepStrictEqual(yield* spawnTimes("c"), [0, 1500])
      })
    )
  )

  it.effect("start while a restart is spawning is already-running: one copy", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      behave("c", { crashAfterMs: 1000, spawnDelayMs: 500 }),
      Effect.gen(function* () {
        // Spawned 0-500, crashes at 1500, restarts after 1 s: spawning from 2500 to 3000.
        yield* TestClock.adjust("2700 millis")
        assert.strictEqual((yield* statusOf("c")).status, "starting")
        yield* behave("c", { spawnDelayMs: 500 })
        const [out] = yield* runWithClock(Control.use((c) => c.start(ids("c"))))
        assert.deepStrictEqual(out, { id: "c", result: "already-running", pid: null, error: null })
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* aliveOf("c")).length, 1)
        assert.strictEqual((yield* statusOf("c")).status, "running")
      })
    )
  )

  it.effect("a start that arrives while a stop waits runs after it: it starts a new instance", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      behave("a", { termDelayMs: 300 }),
      Effect.gen(function* () {
        const before = (yield* statusOf("a")).pid
        const stopping = yield* Effect.forkChild(Control.use((c) => c.stop(ids("a"))))
        yield* TestClock.adjust("20 millis")
        const starting = yield* Effect.forkChild(Control.use((c) => c.start(ids("a"))))
        yield* TestClock.adjust("1 second")
        const [stopped] = yield* Fiber.join(stopping)
        const [started] = yield* Fiber.join(starting)
        assert.deepStrictEqual([stopped!.result, stopped!.pids], ["stopped", [before]])
        assert.strictEqual(started!.result, "started")
        assert.notStrictEqual(started!.pid, before)
        const row = yield* statusOf("a")
        assert.deepStrictEqual([row.status, row.pid], ["running", started!.pid])
        assert.deepStrictEqual(yield* aliveOf("a"), [started!.pid])
      })
    )
  )

  it.effect("a start whose supervision dies before the spawn answers failed, not never", () =>
    withSupervisor(
      { "agents/bad/config.yaml": agent("bad", "  restart: never\n") },
      behave("bad", { defect: "boom in the spawner" }),
      Effect.gen(function* () {
        assert.strictEqual((yield* statusOf("bad")).status, "unknown")
        const out = yield* runWithClock(
          Control.use((c) => c.start(ids("bad"))),
          { max: "10 seconds" }
        )
        assert.deepStrictEqual(out, [
          { id: "bad", result: "failed", pid: null, error: "supervision ended before it started" }
        ])
      })
    )
  )
})

describe("Supervisor: stop", () => {
  it.effect("stop sends the agent's stop signal and escalates at its stop_timeout; --timeout overrides it", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a", "  stop_signal: SIGINT\n  stop_timeout: 3s\n") },
      behave("a", { ignoresTerm: true }),
      Effect.gen(function* () {
        const pid = (yield* statusOf("a")).pid!
        const t0 = yield* Clock.currentTimeMillis
        const stopping = yield* Effect.forkChild(Control.use((c) => c.stop(ids("a"))))
        yield* TestClock.adjust("2900 millis")
        assert.deepStrictEqual(yield* signalsOf, [[pid, "SIGINT"]])
        yield* TestClock.adjust("200 millis")
        const [out] = yield* Fiber.join(stopping)
        assert.deepStrictEqual(out, {
          id: "a",
          result: "stopped",
          pids: [pid],
          escalated: true,
          removedStaleRecord: false
        })
        assert.deepStrictEqual(yield* signalsOf, [
          [pid, "SIGINT"],
          [pid, "SIGKILL"]
        ])
        assert.isAtLeast((yield* Clock.currentTimeMillis) - t0, 3000)

        const [again] = yield* runWithClock(Control.use((c) => c.start(ids("a"))))
        const t1 = yield* Clock.currentTimeMillis
        yield* runWithClock(Control.use((c) => c.stop(ids("a"), 1000)))
        const elapsed = (yield* Clock.currentTimeMillis) - t1
        assert.isTrue(elapsed >= 1000 && elapsed < 3000, `${elapsed}`)
        assert.deepStrictEqual((yield* signalsOf).slice(2), [
          [again!.pid!, "SIGINT"],
          [again!.pid!, "SIGKILL"]
        ])
      })
    )
  )

  it.effect("while it waits for the agent to exit, the agent shows as stopping its pid", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      behave("a", { termDelayMs: 300 }),
      Effect.gen(function* () {
        const pid = (yield* statusOf("a")).pid
        const stopping = yield* Effect.forkChild(Control.use((c) => c.stop(ids("a"))))
        yield* TestClock.adjust("100 millis")
        const row = yield* statusOf("a")
        assert.deepStrictEqual([row.status, row.pid, row.reason], ["stopping", pid, `stopping pid ${pid}`])
        yield* TestClock.adjust("500 millis")
        yield* Fiber.join(stopping)
        assert.strictEqual((yield* statusOf("a")).status, "stopped")
        assert.isNull(yield* (yield* RunDir).readPidRecord("a"))
      })
    )
  )

  it.effect("stop of an agent that does not run is not-running, and it shows as stopped", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a", "  restart: never\n") },
      behave("a", { crashAfterMs: 100 }),
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* statusOf("a")).status, "exited")
        const [out] = yield* runWithClock(Control.use((c) => c.stop(ids("a"))))
        assert.deepStrictEqual([out!.result, out!.pids], ["not-running", []])
        assert.strictEqual((yield* statusOf("a")).status, "stopped")
      })
    )
  )

  it.effect("a disabled agent started by id is disabled again once stopped", () =>
    withSupervisor(
      { "agents/off/config.yaml": agent("off").replace("agent:\n", "agent:\n  enabled: false\n") },
      Effect.void,
      Effect.gen(function* () {
        yield* runWithClock(Control.use((c) => c.start(ids("off"))))
        assert.strictEqual((yield* statusOf("off")).status, "running")
        yield* runWithClock(Control.use((c) => c.stop(ids("off"))))
        assert.strictEqual((yield* statusOf("off")).status, "disabled")
      })
    )
  )

  it.effect("a process that outlives SIGKILL leaves the agent unknown, naming the pid", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      behave("a", { ignoresTerm: true, ignoresKill: true }),
      Effect.gen(function* () {
        const pid = (yield* statusOf("a")).pid
        const events = yield* recordEvents(yield* Control.use((c) => Effect.succeed(c.events)))
        const [out] = yield* runWithClock(Control.use((c) => c.stop(ids("a"), 1000)))
        assert.deepStrictEqual([out!.result, out!.escalated], ["stopped", true])
        const row = yield* statusOf("a")
        assert.deepStrictEqual(row.detail, { _tag: "Unknown", pid: pid!, error: `pid ${pid} outlived SIGKILL` })
        const last = (yield* events.take).at(-1)!
        assert.deepStrictEqual([last.status, last.message], ["unknown", `pid ${pid} still alive after SIGKILL`])
      })
    )
  )

  it.effect("stop reaches the supervised process even when nothing on disk or in its environment names it", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      behave("a", { unmarked: true }),
      Effect.gen(function* () {
        // Started anew later than the boot, so its start time is not 0.
        yield* runWithClock(Control.use((c) => c.stop(ids("a"))))
        yield* TestClock.adjust("1 second")
        yield* runWithClock(Control.use((c) => c.start(ids("a"))))
        const pid = (yield* statusOf("a")).pid!
        // Someone deleted the pid record; the process carries no marker.
        yield* (yield* RunDir).removePidRecord("a")
        const [out] = yield* runWithClock(Control.use((c) => c.stop(ids("a"))))
        assert.deepStrictEqual([out!.result, out!.pids], ["stopped", [pid]])
        const alive = yield* FakeProcessTable.FakeProcessTable.use((t) => t.alive)
        assert.isFalse(alive.some((p) => p.pid === pid))
      })
    )
  )

  it.effect("stop of an agent that died while no launcher ran removes its stale pid record", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a", "  restart: never\n") },
      RunDir.use((r) =>
        r.writePidRecord("a", { pid: 4242, startTime: 7, bootId: FakeProcessTable.fakeBootId, startedAt: 0 })
      ),
      Effect.gen(function* () {
        assert.strictEqual((yield* statusOf("a")).status, "exited")
        const [out] = yield* runWithClock(Control.use((c) => c.stop(ids("a"))))
        assert.deepStrictEqual([out!.result, out!.removedStaleRecord], ["not-running", true])
        assert.isNull(yield* (yield* RunDir).readPidRecord("a"))
      })
    )
  )
})

describe("Supervisor: stop, edge cases", () => {
  it.effect("stop of an agent that just exited, before the launcher noticed, is not-running", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      Effect.void,
      Effect.gen(function* () {
        const pid = (yield* statusOf("a")).pid!
        yield* FakeProcessTable.FakeProcessTable.use((t) => t.exit(pid))
        const [out] = yield* runWithClock(Control.use((c) => c.stop(ids("a"))))
        assert.deepStrictEqual([out!.result, out!.pids], ["not-running", []])
        assert.deepStrictEqual(yield* signalsOf, [])
      })
    )
  )

  it.effect("a copy started by hand while it waits to restart is stopped, and the stop says stopped", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      behave("c", { crashAfterMs: 1000 }),
      Effect.gen(function* () {
        yield* TestClock.adjust("1500 millis")
        assert.strictEqual((yield* statusOf("c")).status, "backoff")
        yield* FakeProcessTable.FakeProcessTable.use((t) =>
          t.add({ pid: 7000, marker: { fleet: MemoryFleet.fakeRoot, agent: "c" } })
        )
        const [out] = yield* runWithClock(Control.use((c) => c.stop(ids("c"))))
        assert.deepStrictEqual([out!.result, out!.pids], ["stopped", [7000]])
        assert.deepStrictEqual(yield* aliveOf("c"), [])
      })
    )
  )

  it.effect("kill of a process stuck in the kernel gives up after the grace period and names every pid", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      behave("a", { ignoresTerm: true, ignoresKill: true, wrapper: true }),
      Effect.gen(function* () {
        const pid = (yield* statusOf("a")).pid!
        const events = yield* recordEvents(yield* Control.use((c) => Effect.succeed(c.events)))
        const t0 = yield* Clock.currentTimeMillis
        const [out] = yield* runWithClock(Control.use((c) => c.kill(ids("a"))))
        assert.deepStrictEqual(out, { id: "a", result: "killed", pids: [pid, pid + 1] })
        // SIGKILL at once and again on the first look (at once too: a kill's deadline is now), then
        // the grace period: not the stop timeout.
        assert.strictEqual((yield* Clock.currentTimeMillis) - t0, killGraceMs)
        const row = yield* statusOf("a")
        assert.deepStrictEqual(row.detail, {
          _tag: "Unknown",
          pid,
          error: `pid ${pid}, ${pid + 1} outlived SIGKILL`
        })
        assert.strictEqual((yield* events.take).at(-1)?.message, `pid ${pid}, ${pid + 1} still alive after SIGKILL`)
      })
    )
  )

  it.effect("stop --all and kill --all reach a disabled agent started by id", () =>
    withSupervisor(
      {
        "agents/off/config.yaml": agent("off").replace("agent:\n", "agent:\n  enabled: false\n"),
        "agents/x/config.yaml": agent("x").replace("agent:\n", "agent:\n  enabled: false\n")
      },
      Effect.void,
      Effect.gen(function* () {
        yield* runWithClock(Control.use((c) => c.start(ids("off", "x"))))
        const stopped = yield* runWithClock(Control.use((c) => c.stop(all)))
        assert.deepStrictEqual(
          stopped.map((o) => [o.id, o.result]),
          [
            ["off", "stopped"],
            ["x", "stopped"]
          ]
        )
        yield* runWithClock(Control.use((c) => c.start(ids("off", "x"))))
        const killed = yield* runWithClock(Control.use((c) => c.kill(all)))
        assert.deepStrictEqual(
          killed.map((k) => [k.id, k.result]),
          [
            ["off", "killed"],
            ["x", "killed"]
          ]
        )
        assert.deepStrictEqual([...(yield* aliveOf("off")), ...(yield* aliveOf("x"))], [])
      })
    )
  )
})

describe("Supervisor: kill, restart, enable", () => {
  it.effect("kill sends SIGKILL at once, names the pids, and the agent stays stopped", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a"), "agents/b/config.yaml": agent("b", "  restart: never\n") },
      Effect.gen(function* () {
        yield* behave("a", { ignoresTerm: true, wrapper: true })
        yield* behave("b", { crashAfterMs: 100 })
      }),
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        const pid = (yield* statusOf("a")).pid!
        const out = yield* runWithClock(Control.use((c) => c.kill(ids("a", "b"))))
        assert.deepStrictEqual(out, [
          { id: "a", result: "killed", pids: [pid, pid + 1] },
          { id: "b", result: "not-running", pids: [] }
        ])
        assert.deepStrictEqual(yield* signalsOf, [[pid, "SIGKILL"]])
        yield* TestClock.adjust("1 minute")
        assert.deepStrictEqual(yield* aliveOf("a"), [])
        assert.strictEqual((yield* statusOf("a")).status, "stopped")
      })
    )
  )

  it.effect("restart --all restarts the enabled agents, each a stop and a start", () =>
    withSupervisor(
      {
        "agents/a/config.yaml": agent("a"),
        "agents/off/config.yaml": agent("off").replace("agent:\n", "agent:\n  enabled: false\n")
      },
      Effect.void,
      Effect.gen(function* () {
        const [off] = yield* runWithClock(Control.use((c) => c.start(ids("off"))))
        const before = (yield* statusOf("a")).pid!
        const out = yield* runWithClock(Control.use((c) => c.restart(all)))
        assert.strictEqual(out.length, 1)
        const [{ stop, start }] = out as [(typeof out)[number]]
        assert.deepStrictEqual([stop.id, stop.result, stop.pids], ["a", "stopped", [before]])
        assert.deepStrictEqual([start.id, start.result], ["a", "started"])
        assert.strictEqual((yield* statusOf("a")).pid, start.pid)
        assert.notStrictEqual(start.pid, before)
        assert.strictEqual((yield* statusOf("off")).pid, off!.pid)
      })
    )
  )

  it.effect("disable through the launcher rewrites the config and the launcher sees the new fleet", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      Effect.void,
      Effect.gen(function* () {
        // Files that appeared since the boot: the launcher learns of them with the new fleet.
        yield* writeFile("agents/n/config.yaml", agent("n"))
        yield* writeFile("agents/m/config.yaml", agent("m").replace("agent:\n", "agent:\n  enabled: false\n"))
        const out = yield* Control.use((c) => c.setEnabled("a", false))
        const file = `${MemoryFleet.fakeRoot}/agents/a/config.yaml`
        assert.deepStrictEqual(out, { id: "a", enabled: false, changed: true, file })
        assert.match((yield* ConfigSource.use((s) => s.read(file))) ?? "", /enabled: false/)
        const rows = yield* Control.use((c) => c.list)
        assert.deepStrictEqual(
          rows.map((r) => [r.id, r.enabled, r.status]),
          [
            // Disabling does not stop it.
            ["a", false, "running"],
            ["m", false, "disabled"],
            ["n", true, "stopped"]
          ]
        )
      })
    )
  )
})
