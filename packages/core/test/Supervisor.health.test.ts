import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { TestClock } from "effect/testing"
import { Control } from "../src/Control.ts"
import * as FakeProbeRunner from "../src/testing/FakeProbeRunner.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import { fakeRoot } from "../src/testing/MemoryFleet.ts"
import { MarkerAgentVar, MarkerFleetVar } from "../src/ProcessTable.ts"
import { agent, recordEvents, spawnTimes, withLauncher, withSupervisor } from "./supervisorHarness.ts"
import { afterKillPollMs } from "../src/AgentProcesses.ts"

/*
 * The launcher's probes under TestClock: thresholds, startup gating, readiness without restarts,
 * probes that cannot run or hang, and the memory ceiling — minutes of probing in microseconds.
 */

const statusOf = (id: string) => Control.use((c) => c.status(id))
const probes = FakeProbeRunner.FakeProbes
const withHealth = (id: string, health: string, run = "") => agent(id, `${run}health:\n${health}`)
const answer = (id: string, kind: "startup" | "liveness" | "readiness", a: FakeProbeRunner.Answer) =>
  probes.use((p) => p.answer(id, kind, a))

describe("Supervisor: probes", () => {
  it.effect("liveness failing failure_threshold times in a row restarts the agent; its neighbour is untouched", () =>
    withSupervisor(
      {
        "agents/sick/config.yaml": withHealth(
          "sick",
          "  liveness: { exec: [check], period: 1s, failure_threshold: 2 }\n"
        ),
        "agents/fine/config.yaml": withHealth(
          "fine",
          "  liveness: { exec: [check], period: 1s, failure_threshold: 2 }\n"
        )
      },
      Effect.void,
      Effect.gen(function* () {
        yield* TestClock.adjust("3 seconds")
        const before = yield* statusOf("sick")
        assert.strictEqual(before.health, "ready")
        assert.deepInclude(before.probes[0], { kind: "liveness", check: "exec check", state: "passing", successes: 4 })
        yield* answer("sick", "liveness", FakeProbeRunner.fail("exit code 1: gone"))
        // Runs at 4 s and 5 s fail: the second is the verdict; the first look after the signal for the fake table to see
        // the stopped instance exit, then the 1 s backoff.
        yield* TestClock.adjust("2500 millis")
        assert.deepStrictEqual(yield* spawnTimes("sick"), [0])
        assert.strictEqual((yield* statusOf("sick")).status, "backoff")
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(yield* spawnTimes("sick"), [0, 6000 + afterKillPollMs])
        assert.strictEqual((yield* statusOf("sick")).restarts, 1)
        assert.deepStrictEqual(yield* spawnTimes("fine"), [0])
      })
    )
  )

  it.effect("the transitions are events, each pass is not", () =>
    withLauncher(
      { "agents/a/config.yaml": withHealth("a", "  liveness: { exec: [check], period: 1s, failure_threshold: 2 }\n") },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          const events = yield* recordEvents(launcher.control.events)
          yield* launcher.boot
          yield* TestClock.adjust("3 seconds")
          yield* answer("a", "liveness", FakeProbeRunner.fail("exit code 1: gone"))
          yield* TestClock.adjust("2500 millis")
          const messages = (yield* events.take).map((e) => e.message)
          assert.includeMembers(messages, [
            "liveness probe failed (1 of 2): exit code 1: gone",
            "liveness probe failing (2 in a row): exit code 1: gone",
            "liveness probe failed 2 times in a row: exit code 1: gone: restarting it per its policy (reason unhealthy)"
          ])
          // Passing once is a transition (pending → passing); the passes after it are not.
          assert.strictEqual(messages.filter((m) => m === "liveness probe passing").length, 1)
        })
    )
  )

  it.effect("a clean exit after a liveness verdict still counts as a failure under on-failure", () =>
    withSupervisor(
      { "agents/a/config.yaml": withHealth("a", "  liveness: { exec: [check], period: 1s, failure_threshold: 1 }\n") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("a", { exitCode: 0 })),
      Effect.gen(function* () {
        yield* answer("a", "liveness", FakeProbeRunner.fail())
        yield* TestClock.adjust("2500 millis")
        assert.deepStrictEqual((yield* spawnTimes("a")).length, 2)
      })
    )
  )

  it.effect("the startup probe holds off liveness and readiness until it passes", () =>
    withSupervisor(
      {
        "agents/a/config.yaml": withHealth(
          "a",
          "  startup: { exec: [warm], period: 1s, failure_threshold: 30 }\n  liveness: { exec: [check], period: 1s }\n  readiness: { exec: [ready], period: 1s }\n"
        )
      },
      answer("a", "startup", FakeProbeRunner.fail("not yet")),
      Effect.gen(function* () {
        yield* TestClock.adjust("10 seconds")
        const row = yield* statusOf("a")
        assert.strictEqual(row.health, "starting")
        assert.strictEqual((yield* probes.use((p) => p.runs("a", "liveness"))).length, 0)
        assert.strictEqual((yield* probes.use((p) => p.runs("a", "readiness"))).length, 0)
        yield* answer("a", "startup", FakeProbeRunner.pass)
        yield* TestClock.adjust("1500 millis")
        assert.strictEqual((yield* statusOf("a")).health, "ready")
        assert.isAbove((yield* probes.use((p) => p.runs("a", "liveness"))).length, 0)
        assert.deepStrictEqual(yield* spawnTimes("a"), [0])
      })
    )
  )

  it.effect("a startup probe that never passes restarts the agent after failure_threshold periods", () =>
    withSupervisor(
      { "agents/a/config.yaml": withHealth("a", "  startup: { exec: [warm], period: 2s, failure_threshold: 3 }\n") },
      answer("a", "startup", FakeProbeRunner.fail("not yet")),
      Effect.gen(function* () {
        // Runs at 0, 2 and 4 s: the third failure ends it; stopping it takes the fake table's
        // 100 ms to see the exit, then the 1 s backoff.
        yield* TestClock.adjust("5500 millis")
        assert.deepStrictEqual(yield* spawnTimes("a"), [0, 5000 + afterKillPollMs])
      })
    )
  )

  it.effect("readiness moves the health and never restarts anything", () =>
    withSupervisor(
      { "agents/a/config.yaml": withHealth("a", "  readiness: { exec: [ready], period: 1s, failure_threshold: 2 }\n") },
      answer("a", "readiness", FakeProbeRunner.fail("503")),
      Effect.gen(function* () {
        yield* TestClock.adjust("5 seconds")
        assert.strictEqual((yield* statusOf("a")).health, "starting")
        yield* answer("a", "readiness", FakeProbeRunner.pass)
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* statusOf("a")).health, "ready")
        yield* answer("a", "readiness", FakeProbeRunner.fail("503"))
        yield* TestClock.adjust("3 seconds")
        const row = yield* statusOf("a")
        assert.strictEqual(row.health, "unhealthy")
        assert.strictEqual(row.status, "running")
        assert.deepStrictEqual(yield* spawnTimes("a"), [0])
      })
    )
  )

  it.effect("a log readiness probe: starting until the line appears, then ready at once", () =>
    withSupervisor(
      { "agents/a/config.yaml": withHealth("a", '  readiness: { log: "listening" }\n') },
      Effect.void,
      Effect.gen(function* () {
        yield* TestClock.adjust("30 seconds")
        assert.strictEqual((yield* statusOf("a")).health, "starting")
        yield* probes.use((p) => p.emitLine("a"))
        yield* Effect.yieldNow
        assert.strictEqual((yield* statusOf("a")).health, "ready")
      })
    )
  )

  it.effect("a log startup probe that sees no line within failure_threshold × period restarts the agent", () =>
    withSupervisor(
      { "agents/a/config.yaml": withHealth("a", '  startup: { log: "up", period: 1s, failure_threshold: 5 }\n') },
      Effect.void,
      Effect.gen(function* () {
        yield* TestClock.adjust("4900 millis")
        assert.deepStrictEqual(yield* spawnTimes("a"), [0])
        yield* TestClock.adjust("1200 millis")
        assert.deepStrictEqual(yield* spawnTimes("a"), [0, 6000 + afterKillPollMs])
      })
    )
  )

  it.effect("a probe that cannot run is an error in status, never a restart", () =>
    withSupervisor(
      {
        "agents/a/config.yaml": withHealth("a", "  liveness: { exec: [./missing], period: 1s, failure_threshold: 1 }\n")
      },
      answer("a", "liveness", { _tag: "Error", error: 'could not run "./missing": ENOENT' }),
      Effect.gen(function* () {
        yield* TestClock.adjust("10 seconds")
        const row = yield* statusOf("a")
        assert.deepStrictEqual(yield* spawnTimes("a"), [0])
        assert.deepInclude(row.probes[0], { state: "error" })
        assert.strictEqual(row.probes[0]!.last!.error, 'could not run "./missing": ENOENT')
      })
    )
  )

  it.effect("a probe that hangs is given up at its timeout and counts as a failure", () =>
    withSupervisor(
      {
        "agents/a/config.yaml": withHealth(
          "a",
          "  liveness: { exec: [check], period: 1s, timeout: 2s, failure_threshold: 1 }\n"
        )
      },
      answer("a", "liveness", { _tag: "Hang" }),
      Effect.gen(function* () {
        // The runner kills it at 2 s; the launcher stops waiting 1 s later: the verdict at 3 s.
        yield* TestClock.adjust("3500 millis")
        const row = yield* statusOf("a")
        assert.strictEqual(row.status, "backoff")
        assert.deepStrictEqual(row.probes, [])
      })
    )
  )

  it.effect("exec probes run in the agent's cwd with its env, without agentctl's marker", () =>
    withSupervisor(
      {
        "agents/a/config.yaml": withHealth(
          "a",
          "  liveness: { exec: [check], period: 1s }\n",
          "  cwd: sub\n  env: { TOKEN: t }\n"
        )
      },
      Effect.void,
      Effect.gen(function* () {
        yield* TestClock.adjust("100 millis")
        const [target] = yield* probes.use((p) => p.targets)
        assert.strictEqual(target!.cwd, `${fakeRoot}/agents/a/sub`)
        assert.strictEqual(target!.env.TOKEN, "t")
        assert.notProperty(target!.env, MarkerAgentVar)
        assert.notProperty(target!.env, MarkerFleetVar)
      })
    )
  )

  it.effect("notify: starting until the agent writes its notification, then ready; nothing restarts meanwhile", () =>
    withLauncher({ "agents/n/config.yaml": agent("n", "notify: true\n") }, Effect.void, (launcher) =>
      Effect.gen(function* () {
        const events = yield* recordEvents(launcher.control.events)
        yield* launcher.boot
        yield* TestClock.adjust("1 minute")
        assert.strictEqual((yield* launcher.control.status("n")).health, "starting")
        yield* probes.use((p) => p.notify("n"))
        yield* Effect.yieldNow
        assert.strictEqual((yield* launcher.control.status("n")).health, "ready")
        assert.include(
          (yield* events.take).map((e) => e.message),
          "notified it is ready, 1m after it started"
        )
        assert.deepStrictEqual(yield* spawnTimes("n"), [0])
      })
    )
  )

  it.effect("notify: the agent gets $AGENTCTL_NOTIFY_FD and a descriptor for it", () =>
    withSupervisor(
      { "agents/n/config.yaml": agent("n", "notify: true\n"), "agents/p/config.yaml": agent("p") },
      Effect.void,
      Effect.gen(function* () {
        yield* TestClock.adjust("100 millis")
        const spawned = yield* FakeProcessTable.FakeProcessTable.use((t) => t.spawned)
        const n = spawned.find((s) => s.id === "n")!
        const p = spawned.find((s) => s.id === "p")!
        assert.deepInclude(n, { notify: true })
        assert.strictEqual(n.env.AGENTCTL_NOTIFY_FD, "3")
        assert.deepInclude(p, { notify: false })
        assert.notProperty(p.env, "AGENTCTL_NOTIFY_FD")
      })
    )
  )

  it.effect("an agent without probes has no health", () =>
    withSupervisor(
      { "agents/a/config.yaml": agent("a") },
      Effect.void,
      Effect.gen(function* () {
        yield* TestClock.adjust("1 second")
        const row = yield* statusOf("a")
        assert.strictEqual(row.health, null)
        assert.deepStrictEqual(row.probes, [])
      })
    )
  )
})

describe("Supervisor: run.max_memory", () => {
  it.effect("RSS above the limit for two samples in a row restarts the agent (reason memory)", () =>
    withLauncher(
      { "agents/m/config.yaml": agent("m", "  max_memory: 512MiB\n") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("m", { rssBytes: 600 * 1024 * 1024 })),
      (launcher) =>
        Effect.gen(function* () {
          const events = yield* recordEvents(launcher.control.events)
          yield* launcher.boot
          // Samples at 5 s and 10 s: over twice; restarted after the 1 s backoff.
          yield* TestClock.adjust("9 seconds")
          assert.deepStrictEqual(yield* spawnTimes("m"), [0])
          yield* TestClock.adjust("2500 millis")
          assert.deepStrictEqual(yield* spawnTimes("m"), [0, 11_000 + afterKillPollMs])
          const messages = (yield* events.take).map((e) => e.message)
          assert.include(
            messages.join("\n"),
            "its RSS (600 MiB) stayed above run.max_memory (512 MiB) for 2 samples 5s apart: restarting it per its policy (reason memory)"
          )
        })
    )
  )

  it.effect("below the limit, or over it only once, it keeps running", () =>
    withSupervisor(
      { "agents/m/config.yaml": agent("m", "  max_memory: 512MiB\n") },
      FakeProcessTable.FakeProcessTable.use((t) => t.setBehaviour("m", { rssBytes: 100 * 1024 * 1024 })),
      Effect.gen(function* () {
        yield* TestClock.adjust("1 minute")
        assert.deepStrictEqual(yield* spawnTimes("m"), [0])
      })
    )
  )
})
