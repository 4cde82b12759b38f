import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { TestClock } from "effect/testing"
import { Control } from "../src/Control.ts"
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

/* One agent's supervision loop, as the launcher runs it: what it tells about each turn. */

const statusOf = (id: string) => Control.use((c) => c.status(id))
const eventsNow = Effect.flatMap(
  Control.use((c) => Effect.succeed(c.events)),
  recordEvents
)
const table = FakeProcessTable.FakeProcessTable.use((t) => Effect.succeed(t))

describe("superviseAgent: an adopted agent", () => {
  const adopted = { "agents/a/config.yaml": agent("a") }
  const setup = Effect.asVoid(runningByHand("a", 4000, true))

  it.effect("turns unknown on the third failed read in a row, and back on the first good one", () =>
    withSupervisor(
      adopted,
      setup,
      Effect.gen(function* () {
        const t = yield* table
        const events = yield* eventsNow
        // Reads every 250 ms: fails at 250 and 500 ms, still running.
        yield* t.failProbes(true)
        yield* TestClock.adjust("600 millis")
        assert.strictEqual((yield* statusOf("a")).status, "running")
        yield* TestClock.adjust("200 millis")
        assert.strictEqual((yield* statusOf("a")).status, "unknown")
        yield* t.failProbes(false)
        yield* TestClock.adjust("250 millis")
        assert.strictEqual((yield* statusOf("a")).status, "running")
        assert.deepStrictEqual(
          (yield* events.take).map((e) => [e.status, e.message]),
          [
            [
              "unknown",
              "cannot read the state of pid 4000 (cannot read the process table from /proc: fake: failing); still watching it, nothing is restarted"
            ],
            ["running", "pid 4000 can be read again"]
          ]
        )
      })
    )
  )

  it.effect("two failed reads and a good one are no news", () =>
    withSupervisor(
      adopted,
      setup,
      Effect.gen(function* () {
        const t = yield* table
        const events = yield* eventsNow
        yield* t.failProbes(true)
        yield* TestClock.adjust("600 millis")
        yield* t.failProbes(false)
        yield* TestClock.adjust("2 seconds")
        assert.deepStrictEqual(yield* events.take, [])
        assert.strictEqual((yield* statusOf("a")).status, "running")
      })
    )
  )

  it.effect("its exit is seen with the exit unknown, and the restart follows the policy", () =>
    withSupervisor(
      adopted,
      setup,
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        yield* FakeProcessTable.FakeProcessTable.use((t) => t.exit(4000))
        yield* TestClock.adjust("300 millis")
        const row = yield* statusOf("a")
        assert.deepStrictEqual(row.detail, {
          _tag: "Backoff",
          attempt: 1,
          nextAttemptAt: 2250,
          exit: { code: null, signal: null, at: 1250 }
        })
        assert.strictEqual(row.reason, "crashed (exit status unknown); restart attempt 1 in 1s")
      })
    )
  )

  it.effect("its pid taken by another process is an exit: the stranger is never signalled", () =>
    withSupervisor(
      adopted,
      setup,
      Effect.gen(function* () {
        const t = yield* table
        yield* TestClock.adjust("1 second")
        yield* t.exit(4000)
        yield* t.add({ pid: 4000, comm: "stranger" })
        yield* TestClock.adjust("2 seconds")
        assert.deepStrictEqual(yield* t.signals, [])
        assert.deepStrictEqual((yield* spawnTimes("a")).length, 1)
        assert.strictEqual((yield* statusOf("a")).status, "running")
        assert.notStrictEqual((yield* statusOf("a")).pid, 4000)
      })
    )
  )
})

describe("superviseAgent: a spawned agent", () => {
  it.effect("a command that cannot start is reported and backs off like a crash, exit code 127", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      Effect.void,
      Effect.gen(function* () {
        yield* runWithClock(Control.use((c) => c.stop({ _tag: "Ids", ids: ["a"] })))
        yield* behave("a", { notFound: true })
        const events = yield* eventsNow
        const [out] = yield* Control.use((c) => c.start({ _tag: "Ids", ids: ["a"] }))
        assert.deepStrictEqual(out, {
          id: "a",
          result: "failed",
          pid: null,
          error: 'command "worker" not found on PATH (/bin)'
        })
        const row = yield* statusOf("a")
        assert.strictEqual(row.detail._tag === "Backoff" && row.detail.exit.code, 127)
        assert.deepStrictEqual(
          (yield* events.take).map((e) => e.message),
          [
            "starting",
            'failed to start: command "worker" not found on PATH (/bin)',
            "crashed (exit code 127); restart attempt 1 in 1s"
          ]
        )
      })
    )
  )

  it.effect("an exit with nothing left behind is just the exit; leftovers are stopped and named", () =>
    withSupervisor(
      {
        "agents/a/config.yaml": agent("a", "  restart: never\n"),
        "agents/w/config.yaml": agent("w", "  restart: never\n")
      },
      Effect.gen(function* () {
        yield* behave("a", { crashAfterMs: 1000 })
        yield* behave("w", { crashAfterMs: 1000, worker: true })
      }),
      Effect.gen(function* () {
        const events = yield* eventsNow
        const a = (yield* statusOf("a")).pid!
        const w = (yield* statusOf("w")).pid!
        // A copy started by hand beside it: also the agent's, also stopped.
        yield* FakeProcessTable.FakeProcessTable.use((t) =>
          t.add({ pid: 7000, marker: { fleet: MemoryFleet.fakeRoot, agent: "w" } })
        )
        yield* TestClock.adjust("2 seconds")
        const messages = (yield* events.take).map((e) => [e.id, e.message])
        assert.deepStrictEqual(
          messages.filter(([id]) => id === "a"),
          [["a", `pid ${a} exited (exit code 1)`]]
        )
        assert.deepStrictEqual(
          messages.filter(([id]) => id === "w"),
          [
            ["w", `stopped what the exited instance left running: pid ${w + 1}, 7000`],
            ["w", `pid ${w} exited (exit code 1)`]
          ]
        )
        assert.deepStrictEqual(yield* aliveOf("w"), [])
        assert.deepStrictEqual((yield* statusOf("w")).detail, {
          _tag: "Exited",
          pid: w,
          exit: { code: 1, signal: null, at: 1000 },
          recycled: false
        })
      })
    )
  )

  it.effect("leftovers it cannot look for are noted", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a", "  restart: never\n") },
      behave("a", { crashAfterMs: 1000 }),
      Effect.gen(function* () {
        const events = yield* eventsNow
        yield* FakeProcessTable.FakeProcessTable.use((t) => t.failProbes(true))
        yield* TestClock.adjust("1100 millis")
        const messages = (yield* events.take).map((e) => e.message)
        assert.include(
          messages,
          "could not stop what the exited instance left running: cannot read the process table from /proc: fake: failing"
        )
      })
    )
  )

  it.effect("a short run after a long one backs off, measured from the restart", () =>
    withSupervisor(
      { "agents/s/config.yaml": agent("s") },
      behave("s", { crashAfterMs: 40_000 }),
      Effect.gen(function* () {
        yield* TestClock.adjust("39 seconds")
        yield* behave("s", { crashAfterMs: 1000 })
        // Crashes at 40 s after a stable run: restarted at once; that one runs 1 s, so 1 s of backoff.
        yield* TestClock.adjust("4 seconds")
        assert.deepStrictEqual(yield* spawnTimes("s"), [0, 40_000, 42_000])
      })
    )
  )

  it.effect("an agent whose config left the fleet is not supervised again after it exits", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a", "  restart: always\n"), "agents/b/config.yaml": agent("b") },
      behave("a", { crashAfterMs: 1000 }),
      Effect.gen(function* () {
        const events = yield* eventsNow
        // The file now names another agent; an enable of b re-reads the fleet without a.
        yield* writeFile("agents/a/config.yaml", agent("z", "  restart: always\n"))
        yield* Control.use((c) => c.setEnabled("b", true))
        yield* TestClock.adjust("5 seconds")
        assert.deepStrictEqual((yield* spawnTimes("a")).length, 1)
        const forA = (yield* events.take).filter((e) => e.id === "a").map((e) => e.status)
        assert.deepStrictEqual(forA, ["backoff"])
      })
    )
  )

  it.effect("a defect in the supervision says so in an event, naming the error", () =>
    withSupervisor(
      { "agents/bad/config.yaml": agent("bad") },
      Effect.void,
      Effect.gen(function* () {
        yield* runWithClock(Control.use((c) => c.stop({ _tag: "Ids", ids: ["bad"] })))
        yield* behave("bad", { defect: "boom in the spawner" })
        const events = yield* eventsNow
        yield* runWithClock(Control.use((c) => c.start({ _tag: "Ids", ids: ["bad"] })))
        const last = (yield* events.take).at(-1)!
        assert.deepStrictEqual(
          [last.status, last.message],
          ["unknown", "supervision ended on an error (Error: boom in the spawner); start it to supervise it again"]
        )
      })
    )
  )
})
