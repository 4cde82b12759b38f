import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Clock from "effect/Clock"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { Control } from "../src/Control.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"
import { agent, runningByHand, settings, spawnTimes, withSupervisor } from "./supervisorHarness.ts"

const statusOf = (id: string) => Control.use((c) => c.status(id))
const startA = Control.use((c) => c.start({ _tag: "Ids", ids: ["a"] }))
const stopA = Control.use((c) => c.stop({ _tag: "Ids", ids: ["a"] }))

describe("Supervisor", () => {
  it.effect("backs off 1s, 2s, 4s, 8s and gives up after 5 failures in 60s", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("c", { crashAfterMs: 1000 })),
      Effect.gen(function* () {
        yield* TestClock.adjust("25 seconds")
        assert.deepStrictEqual(yield* spawnTimes("c"), [0, 2000, 5000, 10000, 19000])
        const row = yield* statusOf("c")
        assert.strictEqual(row.status, "gave-up")
        assert.strictEqual(row.restarts, 4)
        assert.match(row.reason, /gave up after 5 failures within 60s \(last: exit code 1\)/)
        yield* TestClock.adjust("5 minutes")
        assert.strictEqual((yield* spawnTimes("c")).length, 5)
      })
    )
  )

  it.effect("after the cool-down it tries again, with the backoff and the failure count from zero", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("c", { crashAfterMs: 1000 })),
      Effect.gen(function* () {
        yield* TestClock.adjust("25 seconds")
        const gaveUp = yield* statusOf("c")
        // The fifth crash, at 20 s: the default cool-down is 10 minutes.
        assert.deepInclude(gaveUp.detail, { _tag: "GaveUp", at: 20_000, retryAt: 620_000 })
        assert.match(gaveUp.reason, /trying again in 9m55s \(or start it now\)$/)
        yield* TestClock.adjust("595 seconds")
        assert.deepStrictEqual((yield* spawnTimes("c")).slice(5), [620_000])
        assert.strictEqual((yield* statusOf("c")).restarts, 5)
        // Crashing again: backoff 1 s, 2 s, … as at the first start, and a give-up only after 5 more.
        yield* TestClock.adjust("25 seconds")
        assert.deepStrictEqual((yield* spawnTimes("c")).slice(5), [620_000, 622_000, 625_000, 630_000, 639_000])
        assert.strictEqual((yield* statusOf("c")).status, "gave-up")
      })
    )
  )

  it.effect("cooldown: never leaves it given up until someone starts it", () =>
    withSupervisor(
      { "agentctl.yaml": `${settings}  cooldown: never\n`, "agents/c/config.yaml": agent("c") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("c", { crashAfterMs: 1000 })),
      Effect.gen(function* () {
        yield* TestClock.adjust("2 hours")
        const row = yield* statusOf("c")
        assert.deepInclude(row.detail, { _tag: "GaveUp", retryAt: null })
        assert.match(row.reason, /start it to try again$/)
        assert.strictEqual((yield* spawnTimes("c")).length, 5)
      })
    )
  )

  it.effect("a stop during the cool-down cancels the retry", () =>
    withSupervisor(
      { "agentctl.yaml": `${settings}  cooldown: 1m\n`, "agents/c/config.yaml": agent("c") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("c", { crashAfterMs: 1000 })),
      Effect.gen(function* () {
        yield* TestClock.adjust("25 seconds")
        const [out] = yield* Control.use((c) => c.stop({ _tag: "Ids", ids: ["c"] }))
        assert.strictEqual(out!.result, "restart-cancelled")
        yield* TestClock.adjust("5 minutes")
        assert.strictEqual((yield* spawnTimes("c")).length, 5)
        assert.strictEqual((yield* statusOf("c")).status, "stopped")
      })
    )
  )

  it.effect("shows the backoff with the next attempt time while waiting", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("c", { crashAfterMs: 1000, exitCode: 3 })),
      Effect.gen(function* () {
        yield* TestClock.adjust("1500 millis")
        const row = yield* statusOf("c")
        assert.strictEqual(row.status, "backoff")
        assert.deepStrictEqual(row.detail, {
          _tag: "Backoff",
          attempt: 1,
          nextAttemptAt: 2000,
          exit: { code: 3, signal: null, at: 1000 }
        })
      })
    )
  )

  it.effect("a crash after a stable run restarts at once and resets the backoff", () =>
    withSupervisor(
      { "agents/s/config.yaml": agent("s") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("s", { crashAfterMs: 40_000 })),
      Effect.gen(function* () {
        yield* TestClock.adjust("41 seconds")
        assert.deepStrictEqual(yield* spawnTimes("s"), [0, 40_000])
        assert.strictEqual((yield* statusOf("s")).status, "running")
      })
    )
  )

  it.effect("a manual start clears a give-up", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("c", { crashAfterMs: 1000 })),
      Effect.gen(function* () {
        yield* TestClock.adjust("25 seconds")
        assert.strictEqual((yield* statusOf("c")).status, "gave-up")
        yield* FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("c", {}))
        const [out] = yield* Control.use((c) => c.start({ _tag: "Ids", ids: ["c"] }))
        assert.strictEqual(out!.result, "started")
        assert.strictEqual((yield* statusOf("c")).status, "running")
      })
    )
  )

  it.effect("policy never and a clean exit under on-failure leave the agent exited", () =>
    withSupervisor(
      {
        "agents/n/config.yaml": agent("n", "  restart: never\n"),
        "agents/o/config.yaml": agent("o", "  restart: on-failure\n")
      },
      Effect.gen(function* () {
        const t = yield* FakeProcessTable.FakeProcessTable
        yield* t.setBehaviour("n", { crashAfterMs: 100 })
        yield* t.setBehaviour("o", { crashAfterMs: 100, exitCode: 0 })
      }),
      Effect.gen(function* () {
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual((yield* statusOf("n")).status, "exited")
        assert.strictEqual((yield* statusOf("o")).status, "exited")
        assert.strictEqual((yield* spawnTimes("n")).length, 1)
      })
    )
  )

  it.effect("restarting one agent leaves the others untouched", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a"), "agents/b/config.yaml": agent("b") },
      Effect.void,
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        const b = (yield* statusOf("b")).pid
        const a = (yield* statusOf("a")).pid
        yield* runWithClock(Control.use((c) => c.restart({ _tag: "Ids", ids: ["a"] })))
        assert.notStrictEqual((yield* statusOf("a")).pid, a)
        assert.strictEqual((yield* statusOf("b")).pid, b)
        const signals = yield* FakeProcessTable.FakeProcessTable.use((t) => t.signals)
        assert.deepStrictEqual(
          signals.map((s) => s.target),
          [a]
        )
      })
    )
  )

  it.effect("adopts a live agent from a previous launcher instead of starting a second copy", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      Effect.asVoid(runningByHand("a", 4000, true)),
      Effect.gen(function* () {
        assert.strictEqual((yield* spawnTimes("a")).length, 0)
        const row = yield* statusOf("a")
        assert.strictEqual(row.pid, 4000)
        assert.strictEqual(row.status, "running")
        // It dies while adopted: its exit code is unknown, so on-failure restarts it after the backoff.
        yield* FakeProcessTable.FakeProcessTable.use((t) => t.exit(4000))
        yield* TestClock.adjust("2 seconds")
        assert.strictEqual((yield* spawnTimes("a")).length, 1)
        assert.strictEqual((yield* statusOf("a")).status, "running")
      })
    )
  )

  it.effect("stop of 100 SIGTERM-ignoring agents through the supervisor costs one timeout", () =>
    withSupervisor(
      Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`agents/s${i}/config.yaml`, agent(`s${i}`)])),
      Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        (i) => FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour(`s${i}`, { ignoresTerm: true }))
      ).pipe(Effect.asVoid),
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        const t0 = yield* Clock.currentTimeMillis
        const out = yield* runWithClock(Control.use((c) => c.stop({ _tag: "All" }, 2000)))
        // One timeout for all of them (plus the poll interval), not one per agent.
        assert.isAtMost((yield* Clock.currentTimeMillis) - t0, 2300)
        assert.strictEqual(out.filter((o) => o.escalated).length, 100)
        assert.strictEqual((yield* FakeProcessTable.FakeProcessTable.use((t) => t.alive)).length, 0)
        const rows = yield* Control.use((c) => c.list)
        assert.isTrue(rows.every((r) => r.status === "stopped"))
        // Stopped on purpose: no restart follows.
        yield* TestClock.adjust("2 minutes")
        assert.strictEqual((yield* FakeProcessTable.FakeProcessTable.use((t) => t.alive)).length, 0)
      })
    )
  )

  it.effect("a read error while watching an adopted agent is retried and shown as unknown, never a restart", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a", "  restart: always\n") },
      Effect.asVoid(runningByHand("a", 4000, true)),
      Effect.gen(function* () {
        const t = yield* FakeProcessTable.FakeProcessTable
        const events = yield* Control.use((c) => Stream.toQueue(c.events, { capacity: "unbounded" }))
        yield* t.failProbes(true)
        yield* TestClock.adjust("5 seconds")
        const row = yield* statusOf("a")
        assert.strictEqual(row.status, "unknown")
        assert.match(row.reason, /cannot tell whether pid 4000 runs: cannot read the process table from \/proc/)
        assert.strictEqual((yield* spawnTimes("a")).length, 0)
        yield* t.failProbes(false)
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* statusOf("a")).status, "running")
        assert.strictEqual((yield* spawnTimes("a")).length, 0)
        const messages = (yield* Queue.takeAll(events)).map((e) => e.message)
        assert.isTrue(messages.some((m) => /nothing is restarted/.test(m)))
        assert.isTrue(messages.some((m) => /can be read again/.test(m)))
      })
    )
  )

  it.effect("a defect in one agent's supervision shows as unknown with an event; the others keep running", () =>
    withSupervisor(
      { "agents/bad/config.yaml": agent("bad"), "agents/good/config.yaml": agent("good") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("bad", { defect: "boom in the spawner" })),
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        const bad = yield* statusOf("bad")
        assert.strictEqual(bad.status, "unknown")
        assert.match(bad.reason, /boom in the spawner/)
        assert.strictEqual((yield* statusOf("good")).status, "running")
        // The agent can be supervised again once the cause is gone.
        yield* FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("bad", {}))
        const [out] = yield* runWithClock(Control.use((c) => c.start({ _tag: "Ids", ids: ["bad"] })))
        assert.strictEqual(out!.result, "started")
        assert.strictEqual((yield* statusOf("bad")).status, "running")
      })
    )
  )

  it.effect("a stop while it waits to restart cancels the restart and says so", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("c", { crashAfterMs: 1000 })),
      Effect.gen(function* () {
        yield* TestClock.adjust("1500 millis")
        assert.strictEqual((yield* statusOf("c")).status, "backoff")
        const [out] = yield* runWithClock(Control.use((c) => c.stop({ _tag: "Ids", ids: ["c"] })))
        assert.strictEqual(out!.result, "restart-cancelled")
        assert.strictEqual((yield* statusOf("c")).status, "stopped")
        yield* TestClock.adjust("1 minute")
        assert.strictEqual((yield* spawnTimes("c")).length, 1)
      })
    )
  )

  it.effect("a start while a stop waits for the agent to exit: afterwards the status is what the table says", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a"), "agents/b/config.yaml": agent("b") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("a", { termDelayMs: 300 })),
      Effect.gen(function* () {
        const t = yield* FakeProcessTable.FakeProcessTable
        yield* TestClock.adjust("1 second")
        for (let round = 0; round < 6; round++) {
          yield* runWithClock(startA)
          // The stop signals and waits for the agent (it takes 300 ms to exit); the start arrives meanwhile.
          const stopping = yield* Effect.forkChild(stopA)
          yield* TestClock.adjust("20 millis")
          yield* runWithClock(Effect.all([startA, Fiber.join(stopping)], { concurrency: "unbounded" }))
          const alive = (yield* t.alive).filter((p) => p.marker?.agent === "a")
          const row = yield* statusOf("a")
          assert.isAtMost(alive.length, 1, `round ${round}: two copies`)
          assert.strictEqual(row.status, alive.length === 1 ? "running" : "stopped", `round ${round}`)
          if (alive.length === 1) assert.strictEqual(row.pid, alive[0]!.pid, `round ${round}`)
        }
      })
    )
  )

  it.effect("start of an agent that runs unknown to the launcher adopts it instead of starting a copy", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a", "  restart: never\n") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("a", { crashAfterMs: 100 })),
      Effect.gen(function* () {
        const t = yield* FakeProcessTable.FakeProcessTable
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* statusOf("a")).status, "exited")
        // Someone started it by hand behind the launcher's back.
        yield* t.add({ pid: 7000, marker: { fleet: MemoryFleet.fakeRoot, agent: "a" } })
        const [out] = yield* runWithClock(Control.use((c) => c.start({ _tag: "Ids", ids: ["a"] })))
        assert.deepStrictEqual([out!.result, out!.pid], ["already-running", 7000])
        assert.strictEqual((yield* spawnTimes("a")).length, 1)
        // Its start time is read from the process table: it started at 1 s, so it is up 2 s later.
        yield* TestClock.adjust("2 seconds")
        const row = yield* statusOf("a")
        assert.deepStrictEqual(
          [row.pid, row.uptime, row.detail],
          [7000, 2, { _tag: "Running", pid: 7000, instances: 1, startedAt: 1000 }]
        )
      })
    )
  )

  it.effect("a worker the crashed instance left running is stopped before the restart: never two copies", () =>
    withSupervisor(
      { "agents/w/config.yaml": agent("w", "  restart: always\n") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("w", { crashAfterMs: 1000, worker: true })),
      Effect.gen(function* () {
        const t = yield* FakeProcessTable.FakeProcessTable
        yield* TestClock.adjust("1200 millis")
        const marked = (yield* t.alive).filter((p) => p.marker?.agent === "w")
        // The crashed leader's worker was stopped; nothing of the first instance remains.
        assert.isTrue(
          marked.every((p) => p.pid >= 1002),
          JSON.stringify(marked.map((p) => p.pid))
        )
        yield* TestClock.adjust("1 second")
        const rows = yield* Control.use((c) => c.list)
        assert.strictEqual(rows.find((r) => r.id === "w")!.instances, 1)
      })
    )
  )

  it.effect("stop reaches the worker session an agent started, and lists its pid", () =>
    withSupervisor(
      { "agents/w/config.yaml": agent("w") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("w", { worker: true })),
      Effect.gen(function* () {
        const t = yield* FakeProcessTable.FakeProcessTable
        yield* TestClock.adjust("1 second")
        const [out] = yield* runWithClock(Control.use((c) => c.stop({ _tag: "Ids", ids: ["w"] })))
        assert.deepStrictEqual(out!.pids.toSorted(), [1000, 1001])
        assert.strictEqual((yield* t.alive).length, 0)
        assert.strictEqual((yield* statusOf("w")).status, "stopped")
      })
    )
  )
})
