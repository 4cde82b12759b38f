import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { TestClock } from "effect/testing"
import { afterKillPollMs } from "../src/AgentProcesses.ts"
import { Control } from "../src/Control.ts"
import { parseHistory } from "../src/ExitHistory.ts"
import { RunDir } from "../src/RunDir.ts"
import { Signals } from "../src/Signals.ts"
import * as Supervisor from "../src/Supervisor.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"
import { agent, behave, recordEvents, withFleet, withLauncher, withSupervisor, writeFile } from "./supervisorHarness.ts"

const historyOf = (id: string) => RunDir.use((r) => r.readHistory(id))
const restartsOf = (id: string) =>
  Effect.map(
    Control.use((c) => c.status(id)),
    (row) => row.restarts
  )
const table = FakeProcessTable.FakeProcessTable

describe("Supervisor: exit history", () => {
  it.effect("a crash is recorded as crashed with its code and uptime; the file's count is the one ls shows", () =>
    withSupervisor(
      { "agents/c/config.yaml": agent("c") },
      behave("c", { crashAfterMs: 1000, exitCode: 3 }),
      Effect.gen(function* () {
        // Spawned at 0 and 2000 (backoff 1 s), crashing after 1 s each: the second start is restart 1.
        yield* TestClock.adjust("3500 millis")
        const history = yield* historyOf("c")
        assert.deepStrictEqual(
          history.exits.map((e) => [e.at, e.code, e.signal, e.reason, e.uptime]),
          [
            [3000, 3, null, "crashed", 1],
            [1000, 3, null, "crashed", 1]
          ]
        )
        assert.isNumber(history.exits[0]!.pid)
        assert.strictEqual(history.restarts, 1)
        assert.strictEqual(yield* restartsOf("c"), 1)
        // After the backoff (2 s) the restart is counted in both at once.
        yield* TestClock.adjust("2 seconds")
        assert.strictEqual(yield* restartsOf("c"), 2)
        assert.strictEqual((yield* historyOf("c")).restarts, 2)
      })
    )
  )

  it.effect("a clean exit is exited; a start that fails is crashed with code 127 and no pid", () =>
    withSupervisor(
      {
        "agents/o/config.yaml": agent("o", "  restart: on-failure\n"),
        "agents/m/config.yaml": agent("m", "  restart: never\n")
      },
      Effect.andThen(behave("o", { crashAfterMs: 500, exitCode: 0 }), behave("m", { notFound: true })),
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(
          (yield* historyOf("o")).exits.map((e) => [e.code, e.reason, e.uptime]),
          [[0, "exited", 0.5]]
        )
        assert.deepStrictEqual(
          (yield* historyOf("m")).exits.map((e) => [e.pid, e.code, e.reason, e.uptime]),
          [[null, 127, "crashed", 0]]
        )
      })
    )
  )

  it.effect("restarts survive the launcher: the next one starts from the file's count and adds to it", () =>
    withFleet(
      { "agents/c/config.yaml": agent("c") },
      Effect.gen(function* () {
        yield* behave("c", { crashAfterMs: 1000 })
        // The first launcher: starts at 0, 2000 and 5000 (restarts 2), then goes away, leaving it running.
        yield* Effect.scoped(
          Effect.gen(function* () {
            const launcher = yield* Supervisor.make
            yield* launcher.boot
            yield* TestClock.adjust("5500 millis")
            assert.strictEqual((yield* launcher.control.status("c")).restarts, 2)
          })
        )
        // The next one adopts the instance still running, with the count carried over.
        yield* Effect.scoped(
          Effect.gen(function* () {
            const launcher = yield* Supervisor.make
            yield* launcher.boot
            const row = yield* launcher.control.status("c")
            assert.deepStrictEqual([row.status, row.restarts], ["running", 2])
            // It dies (at 6000) while adopted, and is restarted: restart 3, in ls and in the file.
            yield* TestClock.adjust("10 seconds")
            assert.isAtLeast((yield* launcher.control.status("c")).restarts, 3)
            const history = yield* launcher.control.history("c")
            assert.strictEqual(history.restarts, (yield* launcher.control.status("c")).restarts)
            assert.strictEqual((yield* historyOf("c")).restarts, history.restarts)
            // The adopted instance's end: not our child, so no code or signal; a failure all the same.
            const adopted = history.exits.find((e) => e.at >= 6000 && e.code === null)
            assert.deepInclude(adopted, { signal: null, reason: "crashed" })
          })
        )
      })
    )
  )

  it.effect("a user's stop is stopped with the signal sent; a kill is killed; a stop past its timeout is SIGKILL", () =>
    withSupervisor(
      {
        "agents/a/config.yaml": agent("a"),
        "agents/s/config.yaml": agent("s", "  stop_timeout: 2s\n")
      },
      behave("s", { ignoresTerm: true }),
      Effect.gen(function* () {
        yield* TestClock.adjust("3 seconds")
        const pid = (yield* Control.use((c) => c.status("a"))).pid
        yield* runWithClock(Control.use((c) => c.stop({ _tag: "Ids", ids: ["a", "s"] })))
        assert.deepStrictEqual(
          (yield* historyOf("a")).exits.map((e) => [e.pid, e.code, e.signal, e.reason, e.uptime]),
          // Seen gone at the stop's first look at the process table.
          [[pid, null, "SIGTERM", "stopped", 3 + afterKillPollMs / 1000]]
        )
        assert.deepStrictEqual(
          (yield* historyOf("s")).exits.map((e) => [e.signal, e.reason]),
          [["SIGKILL", "stopped"]]
        )
        yield* Control.use((c) => c.start({ _tag: "Ids", ids: ["a"] }))
        yield* runWithClock(Control.use((c) => c.kill({ _tag: "Ids", ids: ["a"] })))
        assert.deepStrictEqual(
          (yield* historyOf("a")).exits.map((e) => [e.signal, e.reason]),
          [
            ["SIGKILL", "killed"],
            ["SIGTERM", "stopped"]
          ]
        )
        // A stop of what does not run records nothing.
        yield* runWithClock(Control.use((c) => c.stop({ _tag: "Ids", ids: ["a"] })))
        assert.strictEqual((yield* historyOf("a")).exits.length, 2)
      })
    )
  )

  it.effect("oom only with the kernel's record: an OOM kill is oom, a SIGKILL someone else sent is crashed", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a"), "agents/b/config.yaml": agent("b") },
      Effect.void,
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        const a = (yield* Control.use((c) => c.status("a"))).pid!
        const b = (yield* Control.use((c) => c.status("b"))).pid!
        yield* table.use((t) => t.oomKill(a))
        yield* Signals.use((s) => s.send(b, "SIGKILL")).pipe(Effect.orDie)
        yield* TestClock.adjust("500 millis")
        assert.deepStrictEqual(
          (yield* historyOf("a")).exits.map((e) => [e.pid, e.signal, e.reason]),
          [[a, "SIGKILL", "oom"]]
        )
        assert.deepStrictEqual(
          (yield* historyOf("b")).exits.map((e) => [e.pid, e.signal, e.reason]),
          [[b, "SIGKILL", "crashed"]]
        )
      })
    )
  )

  it.effect(
    "a corrupt history file is an event, not a crash: the count starts at 0 and the next exit replaces it",
    () =>
      withLauncher(
        { "agents/c/config.yaml": agent("c", "  restart: never\n") },
        Effect.andThen(writeFile("run/history/c.json", "{oops"), behave("c", { crashAfterMs: 1000 })),
        (launcher) =>
          Effect.gen(function* () {
            const events = yield* recordEvents(launcher.control.events)
            yield* launcher.boot
            yield* TestClock.adjust("1500 millis")
            const notes = (yield* events.take).filter((e) => e.id === "c").map((e) => e.message)
            assert.isTrue(
              notes.some(
                (m) => m.includes(`cannot ${parseHistory} /fleet/run/history/c.json`) && m.includes("starts at 0")
              ),
              notes.join("\n")
            )
            assert.deepStrictEqual(
              (yield* historyOf("c")).exits.map((e) => e.reason),
              ["crashed"]
            )
            assert.strictEqual((yield* launcher.control.status("c")).status, "exited")
          })
      )
  )
})
