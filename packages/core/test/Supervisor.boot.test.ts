import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { RunDir } from "../src/RunDir.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"
import {
  agent,
  aliveOf,
  recordEvents,
  runningByHand,
  spawnTimes,
  withLauncher,
  writeFile
} from "./supervisorHarness.ts"

/* How a launcher takes a fleet over, re-reads it, and lets it go. */

const disabled = (id: string) => agent(id).replace("agent:\n", "agent:\n  enabled: false\n")

describe("Supervisor: boot", () => {
  it.effect("adopts an agent found by its marker and writes the pid record it lacked", () =>
    withLauncher({ "agents/a/config.yaml": agent("a") }, Effect.void, (launcher) =>
      Effect.gen(function* () {
        const p = yield* runningByHand("a", 4000, false)
        const events = yield* recordEvents(launcher.control.events)
        yield* TestClock.adjust("3 seconds")
        yield* launcher.boot
        const record = yield* (yield* RunDir).readPidRecord("a")
        assert.deepStrictEqual(record, {
          pid: 4000,
          startTime: p.startTime,
          bootId: FakeProcessTable.fakeBootId,
          startedAt: 3000
        })
        assert.deepStrictEqual(
          (yield* events.take).map((e) => [e.id, e.status, e.message]),
          [["a", "running", "adopted pid 4000 (it runs without a launcher's supervision until now)"]]
        )
        assert.strictEqual((yield* spawnTimes("a")).length, 0)
      })
    )
  )

  it.effect("keeps the recorded instance and stops the duplicates beside it, the agent's way", () =>
    withLauncher(
      { "agents/a/config.yaml": agent("a", "  stop_signal: SIGHUP\n") },
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        yield* runningByHand("a", 4000, true)
        yield* runningByHand("a", 4001, false)
        yield* runningByHand("a", 4002, false)
      }),
      (launcher) =>
        Effect.gen(function* () {
          const events = yield* recordEvents(launcher.control.events)
          yield* runWithClock(launcher.boot)
          assert.deepStrictEqual(yield* aliveOf("a"), [4000])
          const signals = yield* FakeProcessTable.FakeProcessTable.use((t) => t.signals)
          assert.deepStrictEqual(
            signals.map((s) => [s.target, s.signal]),
            [
              [4001, "SIGHUP"],
              [4002, "SIGHUP"]
            ]
          )
          // The adopted instance keeps its pid record, as it was.
          assert.deepStrictEqual(yield* (yield* RunDir).readPidRecord("a"), {
            pid: 4000,
            startTime: 1000,
            bootId: FakeProcessTable.fakeBootId,
            startedAt: 0
          })
          assert.deepStrictEqual(
            (yield* events.take).map((e) => e.message),
            [
              "adopted pid 4000 (it runs without a launcher's supervision until now)",
              "stopping 2 duplicate instance(s): pid 4001, 4002",
              "stopped its duplicates: pid 4001, 4002"
            ]
          )
          const row = yield* launcher.control.status("a")
          assert.deepStrictEqual([row.status, row.pid], ["running", 4000])
        })
    )
  )

  it.effect("duplicates it cannot stop are noted, and the adopted instance stays supervised", () =>
    withLauncher(
      { "agents/a/config.yaml": agent("a", "  stop_signal: SIGHUP\n") },
      Effect.gen(function* () {
        yield* runningByHand("a", 4000, true)
        yield* runningByHand("a", 4001, false, { ignoresTerm: true })
      }),
      (launcher) =>
        Effect.gen(function* () {
          const t = yield* FakeProcessTable.FakeProcessTable
          const events = yield* recordEvents(launcher.control.events)
          const booting = yield* Effect.forkChild(launcher.boot)
          // The duplicate was signalled; the next look at the process table fails.
          yield* TestClock.adjust("10 millis")
          yield* t.failProbes(true)
          yield* TestClock.adjust("200 millis")
          yield* Fiber.join(booting)
          yield* t.failProbes(false)
          const messages = (yield* events.take).map((e) => e.message)
          assert.deepStrictEqual(messages.slice(-1), [
            "could not stop its duplicates: cannot read the process table from /proc: fake: failing"
          ])
          assert.deepStrictEqual(yield* aliveOf("a"), [4000, 4001])
          assert.strictEqual((yield* launcher.control.status("a")).pid, 4000)
        })
    )
  )

  it.effect(
    "an agent that died while no launcher ran, with restart: never, shows as exited; a disabled one as disabled",
    () =>
      withLauncher(
        {
          "agents/n/config.yaml": agent("n", "  restart: never\n"),
          "agents/o/config.yaml": agent("o"),
          "agents/off/config.yaml": disabled("off")
        },
        Effect.gen(function* () {
          const runDir = yield* RunDir
          for (const id of ["n", "o"]) {
            yield* runDir.writePidRecord(id, {
              pid: 4242,
              startTime: 7,
              bootId: FakeProcessTable.fakeBootId,
              startedAt: 0
            })
          }
        }),
        (launcher) =>
          Effect.gen(function* () {
            const events = yield* recordEvents(launcher.control.events)
            yield* launcher.boot
            const n = yield* launcher.control.status("n")
            assert.deepStrictEqual(n.detail, {
              _tag: "Exited",
              pid: 4242,
              exit: { code: null, signal: null, at: null },
              recycled: false
            })
            // on-failure: it is started again.
            assert.strictEqual((yield* launcher.control.status("o")).status, "running")
            assert.strictEqual((yield* launcher.control.status("off")).status, "disabled")
            assert.deepStrictEqual([...(yield* spawnTimes("n")), ...(yield* spawnTimes("off"))], [])
            assert.deepStrictEqual(
              (yield* events.take).filter((e) => e.id !== "o").map((e) => [e.id, e.status]),
              [
                ["n", "exited"],
                ["off", "disabled"]
              ]
            )
          })
      )
  )
})

describe("Supervisor: reload", () => {
  it.effect("starts new and enabled agents, stops removed and disabled ones, restarts changed ones", () =>
    withLauncher(
      {
        "agents/keep/config.yaml": agent("keep"),
        "agents/change/config.yaml": agent("change"),
        "agents/rename/config.yaml": agent("old"),
        "agents/on/config.yaml": disabled("on"),
        "agents/off/config.yaml": agent("off", "  stop_signal: SIGINT\n"),
        "agents/broken/config.yaml": agent("broken")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          const pid = (id: string) => Effect.map(launcher.control.status(id), (r) => r.pid)
          const keep = yield* pid("keep")
          const change = yield* pid("change")
          const old = yield* pid("old")
          const off = yield* pid("off")
          const broken = yield* pid("broken")
          yield* writeFile("agents/change/config.yaml", agent("change", "  args: [--verbose]\n"))
          yield* writeFile("agents/rename/config.yaml", agent("new"))
          yield* writeFile("agents/on/config.yaml", agent("on"))
          yield* writeFile(
            "agents/off/config.yaml",
            disabled("off").replace("worker\n", "worker\n  stop_signal: SIGINT\n")
          )
          yield* writeFile("agents/broken/config.yaml", "agent:\n  id: broken\nrun: {}\n")
          yield* writeFile("agents/added/config.yaml", agent("added"))
          const events = yield* recordEvents(launcher.control.events)
          const out = yield* runWithClock(launcher.control.reload)
          assert.deepStrictEqual(
            { ...out, invalid: out.invalid.map((i) => i.file) },
            {
              started: ["added", "new", "on"],
              stopped: ["off", "old"],
              restarted: ["change"],
              unchanged: ["broken", "keep"],
              invalid: ["/fleet/agents/broken/config.yaml"]
            }
          )
          assert.strictEqual(yield* pid("keep"), keep)
          const changed = yield* launcher.control.status("change")
          assert.deepStrictEqual([changed.status, changed.pid === change], ["running", false])
          const spawned = yield* FakeProcessTable.FakeProcessTable.use((t) => t.spawned)
          assert.deepStrictEqual(spawned.find((s) => s.pid === changed.pid)?.args, ["--verbose"])
          for (const id of ["added", "new", "on"])
            assert.strictEqual((yield* launcher.control.status(id)).status, "running")
          assert.strictEqual((yield* launcher.control.status("off")).status, "disabled")
          // The agent that left the fleet is stopped like any other, with the default signal.
          const signals = (yield* FakeProcessTable.FakeProcessTable.use((t) => t.signals)).map((s) => [
            s.target,
            s.signal
          ])
          assert.deepStrictEqual(
            signals.filter(([target]) => target === off || target === old || target === change),
            [
              [off, "SIGINT"],
              [old, "SIGTERM"],
              [change, "SIGTERM"]
            ]
          )
          assert.deepStrictEqual(yield* aliveOf("old"), [])
          // A config that broke keeps what runs.
          assert.deepStrictEqual(yield* aliveOf("broken"), [broken])
          const last = (yield* events.take).filter((e) => e.id === "old").at(-1)
          assert.deepStrictEqual([last?.status, last?.message], ["stopped", "not running"])
        })
    )
  )
})

describe("Supervisor: stopAll", () => {
  it.effect("stops every agent, each its own way, and starts nothing afterwards", () =>
    withLauncher(
      {
        "agents/a/config.yaml": agent("a"),
        "agents/b/config.yaml": agent("b", "  stop_signal: SIGUSR1\n"),
        "agents/off/config.yaml": disabled("off")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          // A disabled agent started by id runs too, and is stopped with the rest.
          const [off] = yield* launcher.control.start({ _tag: "Ids", ids: ["off"] })
          const a = (yield* launcher.control.status("a")).pid!
          const b = (yield* launcher.control.status("b")).pid!
          const out = yield* runWithClock(launcher.stopAll(1000))
          assert.deepStrictEqual(
            out.map((o) => [o.id, o.result, o.pids]),
            [
              ["a", "stopped", [a]],
              ["b", "stopped", [b]],
              ["off", "stopped", [off!.pid!]]
            ]
          )
          const signals = yield* FakeProcessTable.FakeProcessTable.use((t) => t.signals)
          assert.deepStrictEqual(
            signals.map((s) => [s.target, s.signal]),
            [
              [a, "SIGTERM"],
              [b, "SIGUSR1"],
              [off!.pid!, "SIGTERM"]
            ]
          )
          const started = yield* launcher.control.start({ _tag: "Ids", ids: ["a"] })
          assert.deepStrictEqual(started, [{ id: "a", result: "failed", pid: null, error: "the launcher is stopping" }])
          yield* TestClock.adjust("1 minute")
          assert.deepStrictEqual([...(yield* aliveOf("a")), ...(yield* aliveOf("b")), ...(yield* aliveOf("off"))], [])
        })
    )
  )
})
