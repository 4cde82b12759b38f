import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import type { HealthName } from "../src/Health.ts"
import * as FakeProbeRunner from "../src/testing/FakeProbeRunner.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import { runWithClock } from "../src/testing/TestClockDriver.ts"
import { agent, behave, type Launcher, recordEvents, spawnTimes, withLauncher } from "./supervisorHarness.ts"

/*
 * `depends_on` under the launcher: starts in order, each dependent once its dependencies meet
 * their conditions; stops in reverse; restart: true. Most tests play the health engine's part (an
 * agent with a readiness probe is ready when its health says so, set here through the store, as
 * watchHealth sets it); one drives the real engine through fake probes.
 */

const all = { _tag: "All" } as const
const ids = (...list: Array<string>) => ({ _tag: "Ids", ids: list }) as const
const readiness = "health:\n  readiness: { log: ready }\n"
const dependsOn = (deps: string) => `depends_on: ${deps}\n`
/** An agent whose readiness the test decides, depending on `deps`. */
const gated = (id: string, deps?: string, run = "") =>
  agent(id, run) + readiness + (deps === undefined ? "" : dependsOn(deps))
const plain = (id: string, deps?: string, run = "") => agent(id, run) + (deps === undefined ? "" : dependsOn(deps))

const setHealth = (launcher: Launcher, id: string, health: HealthName | null) =>
  launcher.store.update(id, (s) => ({ ...s, health }))
/**
 * Move the clock in small steps, so what was woken (a spawn, a start after a dependency got
 * ready) runs along: one big step can leave a fiber behind it.
 */
const advance = (ms: number) =>
  Effect.forEach(Array.from({ length: Math.ceil(ms / 10) }), () => TestClock.adjust("10 millis"), { discard: true })
const settle = advance(100)
/** The agent printed the line its log probes wait for (the real health engine then marks it ready). */
const emitLine = (id: string) => FakeProbeRunner.FakeProbes.use((p) => p.emitLine(id))
const statusOf = (launcher: Launcher, id: string) => Effect.map(launcher.control.status(id), (r) => r.status)

describe("Supervisor: depends_on", () => {
  it.effect("boot starts a -> b -> c in order, each only once its dependency is ready", () =>
    withLauncher(
      {
        "agents/a/config.yaml": gated("a"),
        "agents/b/config.yaml": gated("b", "{ a: ready }"),
        "agents/c/config.yaml": plain("c", "{ b: ready }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* advance(3000)
          assert.deepStrictEqual(yield* spawnTimes("a"), [0])
          assert.deepStrictEqual([yield* spawnTimes("b"), yield* spawnTimes("c")], [[], []])
          // Running is not ready for an agent with a readiness probe, whatever its health engine is doing.
          yield* setHealth(launcher, "a", "starting")
          yield* settle
          assert.deepStrictEqual(yield* spawnTimes("b"), [])
          const aReady = yield* Clock.currentTimeMillis
          yield* setHealth(launcher, "a", "ready")
          yield* settle
          const [b] = yield* spawnTimes("b")
          assert.isAtLeast(b!, aReady)
          yield* advance(2000)
          assert.deepStrictEqual(yield* spawnTimes("c"), [])
          const bReady = yield* Clock.currentTimeMillis
          yield* setHealth(launcher, "b", "ready")
          yield* settle
          const [c] = yield* spawnTimes("c")
          assert.isAtLeast(c!, bReady)
          assert.strictEqual(yield* statusOf(launcher, "c"), "running")
        })
    )
  )

  it.effect("with the health engine: a -> b -> c ready by log line start in order, and stop in reverse", () =>
    withLauncher(
      {
        "agents/a/config.yaml": gated("a"),
        "agents/b/config.yaml": gated("b", "{ a: ready }"),
        "agents/c/config.yaml": gated("c", "{ b: ready }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* advance(2000)
          assert.strictEqual((yield* launcher.store.get("a")).health, "starting")
          assert.deepStrictEqual([yield* spawnTimes("b"), yield* spawnTimes("c")], [[], []])
          const aReady = yield* Clock.currentTimeMillis
          yield* emitLine("a")
          yield* settle
          assert.strictEqual((yield* launcher.store.get("a")).health, "ready")
          assert.isAtLeast((yield* spawnTimes("b"))[0]!, aReady)
          yield* advance(1000)
          assert.deepStrictEqual(yield* spawnTimes("c"), [])
          const bReady = yield* Clock.currentTimeMillis
          yield* emitLine("b")
          yield* settle
          assert.isAtLeast((yield* spawnTimes("c"))[0]!, bReady)
          const events = yield* recordEvents(launcher.control.events)
          yield* runWithClock(launcher.stopAll())
          assert.deepStrictEqual(
            (yield* events.take).filter((e) => e.status === "stopping").map((e) => e.id),
            ["c", "b", "a"]
          )
        })
    )
  )

  it.effect("a dependency without a readiness probe is ready once it runs; started needs no more", () =>
    withLauncher(
      {
        "agents/a/config.yaml": plain("a"),
        "agents/b/config.yaml": plain("b", "{ a: ready }"),
        "agents/c/config.yaml": plain("c", "{ b: started }")
      },
      behave("a", { spawnDelayMs: 500 }),
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* advance(2000)
          // Spawn times are when each spawn returned: b started after a's (500 ms), c after b's.
          const [a] = yield* spawnTimes("a")
          const [b] = yield* spawnTimes("b")
          const [c] = yield* spawnTimes("c")
          assert.strictEqual(a, 500)
          assert.isAtLeast(b!, a!)
          assert.isAtLeast(c!, b!)
        })
    )
  )

  it.effect("independent agents do not wait for each other, nor for a dependency that is not theirs", () =>
    withLauncher(
      {
        "agents/a/config.yaml": gated("a"),
        "agents/x/config.yaml": plain("x", "{ a: ready }"),
        "agents/y/config.yaml": plain("y"),
        "agents/z/config.yaml": plain("z", "{ y: started }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* advance(1000)
          assert.deepStrictEqual(
            [yield* spawnTimes("a"), yield* spawnTimes("y"), yield* spawnTimes("x")],
            [[0], [0], []]
          )
          assert.strictEqual((yield* spawnTimes("z")).length, 1)
          assert.isBelow((yield* spawnTimes("z"))[0]!, 100)
        })
    )
  )

  it.effect("start --all answers once every agent started, each after its dependency was ready", () =>
    withLauncher(
      {
        "agents/a/config.yaml": gated("a"),
        "agents/b/config.yaml": plain("b", "{ a: ready }"),
        "agents/y/config.yaml": plain("y")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* setHealth(launcher, "a", "ready")
          yield* runWithClock(launcher.control.stop(all))
          const starting = yield* Effect.forkChild(launcher.control.start(all))
          yield* advance(1000)
          assert.isUndefined(starting.pollUnsafe())
          assert.strictEqual((yield* spawnTimes("y")).length, 2)
          yield* setHealth(launcher, "a", "ready")
          const out = yield* runWithClock(Fiber.join(starting))
          assert.deepStrictEqual(
            out.map((o) => [o.id, o.result]),
            [
              ["a", "started"],
              ["b", "started"],
              ["y", "started"]
            ]
          )
        })
    )
  )

  it.effect("start <id> starts the dependencies that do not run first, and says so", () =>
    withLauncher(
      {
        "agents/a/config.yaml": plain("a"),
        "agents/b/config.yaml": plain("b", "{ a: started }"),
        "agents/c/config.yaml": plain("c", "{ b: started }"),
        "agents/d/config.yaml": plain("d")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* advance(100)
          yield* runWithClock(launcher.control.stop(ids("b", "c")))
          const out = yield* runWithClock(launcher.control.start(ids("c")))
          // a runs: left alone, not reported; b was started for c.
          assert.deepStrictEqual(
            out.map((o) => [o.id, o.result]),
            [
              ["b", "started"],
              ["c", "started"]
            ]
          )
          const [, b] = yield* spawnTimes("b")
          const [, c] = yield* spawnTimes("c")
          assert.isAtLeast(c!, b!)
          assert.deepStrictEqual([(yield* spawnTimes("a")).length, (yield* spawnTimes("d")).length], [1, 1])
        })
    )
  )

  it.effect("start of a running dependent changes nothing, even with its dependency stopped", () =>
    withLauncher(
      {
        "agents/a/config.yaml": plain("a"),
        "agents/b/config.yaml": plain("b", "{ a: started }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* advance(100)
          yield* runWithClock(launcher.control.stop(ids("a")))
          const out = yield* runWithClock(launcher.control.start(ids("b")))
          assert.deepStrictEqual(
            out.map((o) => [o.id, o.result]),
            [["b", "already-running"]]
          )
          assert.deepStrictEqual([(yield* spawnTimes("a")).length, yield* statusOf(launcher, "a")], [1, "stopped"])
        })
    )
  )

  it.effect("a dependency that does not get ready in time fails its dependent, naming it and what it is doing", () =>
    withLauncher(
      {
        "agents/db/config.yaml": gated("db"),
        "agents/api/config.yaml": plain("api", "{ db: { condition: ready, timeout: 10s } }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          const events = yield* recordEvents(launcher.control.events)
          yield* launcher.boot
          yield* setHealth(launcher, "db", "starting")
          yield* advance(11_000)
          assert.deepStrictEqual(yield* spawnTimes("api"), [])
          const api = (yield* events.take).filter((e) => e.id === "api").map((e) => e.message)
          assert.deepStrictEqual(api, [
            "waiting for db (ready)",
            'not started: dependency "db" did not become ready within 10s (it is running, health starting)'
          ])
          // And asked for by hand, the answer says the same.
          const out = yield* runWithClock(launcher.control.start(ids("api")))
          assert.deepStrictEqual(out, [
            {
              id: "api",
              result: "failed",
              pid: null,
              error: 'dependency "db" did not become ready within 10s (it is running, health starting)'
            }
          ])
        })
    )
  )

  it.effect("a dependency that cannot start fails its dependents at once, not at their timeout", () =>
    withLauncher(
      {
        "agents/a/config.yaml": plain("a"),
        "agents/b/config.yaml": plain("b", "{ a: started }"),
        "agents/c/config.yaml": plain("c", "{ b: started }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* runWithClock(launcher.control.stop(all))
          yield* behave("a", { notFound: true })
          const t0 = yield* Clock.currentTimeMillis
          const out = yield* runWithClock(launcher.control.start(ids("c")))
          assert.deepStrictEqual(
            out.map((o) => [o.id, o.result]),
            [
              ["a", "failed"],
              ["b", "failed"],
              ["c", "failed"]
            ]
          )
          assert.match(out[1]!.error!, /^dependency "a" failed to start: /)
          assert.match(out[2]!.error!, /^dependency "b" failed to start: dependency "a" failed to start: /)
          assert.isBelow((yield* Clock.currentTimeMillis) - t0, 1000)
        })
    )
  )

  it.effect("a dependency that gave up fails its dependent at once, not at its timeout", () =>
    withLauncher(
      {
        "agents/a/config.yaml": gated("a"),
        "agents/b/config.yaml": plain("b", "{ a: { condition: ready, timeout: 10m } }")
      },
      // Crashes before it is ever ready: five in 15 s, and it gives up.
      behave("a", { crashAfterMs: 100 }),
      (launcher) =>
        Effect.gen(function* () {
          const events = yield* recordEvents(launcher.control.events)
          yield* launcher.boot
          yield* TestClock.adjust("30 seconds")
          assert.strictEqual(yield* statusOf(launcher, "a"), "gave-up")
          assert.deepStrictEqual(yield* spawnTimes("b"), [])
          assert.deepStrictEqual(
            (yield* events.take).filter((e) => e.id === "b").map((e) => e.message),
            ["waiting for a (ready)", 'not started: dependency "a" gave up after 5 failures (last: exit code 1)']
          )
        })
    )
  )

  it.effect("completed: a dependent starts after its dependency exited 0, and fails when it exited otherwise", () =>
    withLauncher(
      {
        "agents/migrate/config.yaml": plain("migrate", undefined, "  restart: never\n"),
        "agents/api/config.yaml": plain("api", "{ migrate: completed }"),
        "agents/broken/config.yaml": plain("broken", undefined, "  restart: never\n"),
        "agents/web/config.yaml": plain("web", "{ broken: completed }")
      },
      Effect.gen(function* () {
        yield* behave("migrate", { crashAfterMs: 2000, exitCode: 0 })
        yield* behave("broken", { crashAfterMs: 1000, exitCode: 3 })
      }),
      (launcher) =>
        Effect.gen(function* () {
          const events = yield* recordEvents(launcher.control.events)
          yield* launcher.boot
          yield* advance(1500)
          assert.deepStrictEqual(yield* spawnTimes("api"), [])
          yield* advance(1000)
          assert.strictEqual((yield* spawnTimes("api")).length, 1)
          assert.isAtLeast((yield* spawnTimes("api"))[0]!, 2000)
          assert.deepStrictEqual(yield* spawnTimes("web"), [])
          assert.include(
            (yield* events.take).filter((e) => e.id === "web").map((e) => e.message),
            'not started: dependency "broken" did not complete: exit code 3'
          )
          // A completed dependency is not run again for a later start of its dependent.
          yield* runWithClock(launcher.control.restart(ids("api")))
          assert.strictEqual((yield* spawnTimes("migrate")).length, 1)
        })
    )
  )

  it.effect("a stop calls off a start that waits for its dependencies", () =>
    withLauncher(
      {
        "agents/a/config.yaml": gated("a"),
        "agents/b/config.yaml": plain("b", "{ a: ready }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          const starting = yield* Effect.forkChild(launcher.control.start(ids("b")))
          yield* settle
          const [stopped] = yield* runWithClock(launcher.control.stop(ids("b")))
          assert.strictEqual(stopped!.result, "not-running")
          const [started] = yield* Fiber.join(starting)
          assert.deepStrictEqual(started, { id: "b", result: "failed", pid: null, error: "stopped before it started" })
          yield* setHealth(launcher, "a", "ready")
          yield* advance(1000)
          assert.deepStrictEqual(yield* spawnTimes("b"), [])
          assert.strictEqual(yield* statusOf(launcher, "b"), "stopped")
        })
    )
  )

  it.effect("stop --all stops dependents first, a level at a time, each level at once", () =>
    withLauncher(
      {
        "agents/a/config.yaml": plain("a"),
        "agents/b/config.yaml": plain("b", "{ a: started }"),
        "agents/c/config.yaml": plain("c", "{ b: started }"),
        "agents/x/config.yaml": plain("x")
      },
      Effect.gen(function* () {
        for (const id of ["a", "b", "c", "x"]) yield* behave(id, { termDelayMs: 1000 })
      }),
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* TestClock.adjust("1 second")
          const events = yield* recordEvents(launcher.control.events)
          const t0 = yield* Clock.currentTimeMillis
          const out = yield* runWithClock(launcher.control.stop(all))
          assert.deepStrictEqual(
            out.map((o) => [o.id, o.result]),
            [
              ["a", "stopped"],
              ["b", "stopped"],
              ["c", "stopped"],
              ["x", "stopped"]
            ]
          )
          assert.deepStrictEqual(
            (yield* events.take).map((e) => `${e.id} ${e.status}`),
            ["c stopping", "x stopping", "c stopped", "x stopped", "b stopping", "b stopped", "a stopping", "a stopped"]
          )
          // Three levels of a one-second stop: three seconds (and the polls), not four.
          const took = (yield* Clock.currentTimeMillis) - t0
          assert.isAtLeast(took, 3000)
          assert.isBelow(took, 3900)
        })
    )
  )

  it.effect("the launcher's stop goes in reverse order too", () =>
    withLauncher(
      {
        "agents/a/config.yaml": plain("a"),
        "agents/b/config.yaml": plain("b", "{ a: started }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* TestClock.adjust("1 second")
          const events = yield* recordEvents(launcher.control.events)
          yield* runWithClock(launcher.stopAll())
          assert.deepStrictEqual(
            (yield* events.take).map((e) => `${e.id} ${e.status}`),
            ["b stopping", "b stopped", "a stopping", "a stopped"]
          )
        })
    )
  )

  it.effect("restart: true restarts a dependent once its restarted dependency is ready again; others stay", () =>
    withLauncher(
      {
        "agents/db/config.yaml": gated("db", undefined, "  restart: always\n"),
        "agents/api/config.yaml": plain("api", "{ db: { condition: ready, restart: true } }"),
        "agents/cron/config.yaml": plain("cron", "{ db: ready }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* setHealth(launcher, "db", "ready")
          yield* advance(1000)
          assert.deepStrictEqual([(yield* spawnTimes("api")).length, (yield* spawnTimes("cron")).length], [1, 1])
          // db exits at 5 s and is restarted after its 1 s backoff; its health engine forgets the old instance's.
          const [db] = (yield* launcher.store.get("db")).instance!.pids
          yield* advance(4000)
          yield* FakeProcessTable.FakeProcessTable.use((t) => t.exit(db!))
          yield* setHealth(launcher, "db", null)
          yield* advance(2000)
          assert.strictEqual((yield* spawnTimes("db")).length, 2)
          assert.strictEqual((yield* spawnTimes("api")).length, 1)
          yield* setHealth(launcher, "db", "ready")
          yield* advance(1000)
          assert.strictEqual((yield* spawnTimes("api")).length, 2)
          assert.strictEqual((yield* spawnTimes("cron")).length, 1)
          // A restart by hand counts too.
          yield* runWithClock(launcher.control.restart(ids("db")))
          yield* advance(500)
          assert.strictEqual((yield* spawnTimes("api")).length, 2)
          yield* setHealth(launcher, "db", "ready")
          yield* advance(1000)
          assert.deepStrictEqual([(yield* spawnTimes("api")).length, (yield* spawnTimes("cron")).length], [3, 1])
        })
    )
  )

  it.effect("a dependent that started after its dependency's restart is not restarted again", () =>
    withLauncher(
      {
        "agents/db/config.yaml": plain("db"),
        "agents/api/config.yaml": plain("api", "{ db: { condition: started, restart: true } }")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* advance(1000)
          yield* runWithClock(launcher.control.stop(all))
          yield* runWithClock(launcher.control.start(all))
          yield* advance(1000)
          assert.deepStrictEqual([(yield* spawnTimes("db")).length, (yield* spawnTimes("api")).length], [2, 2])
        })
    )
  )

  it.effect("a cycle makes its members invalid, naming it, and the rest of the fleet runs", () =>
    withLauncher(
      {
        "agents/a/config.yaml": plain("a", "{ b: started }"),
        "agents/b/config.yaml": plain("b", "{ a: started }"),
        "agents/c/config.yaml": plain("c")
      },
      Effect.void,
      (launcher) =>
        Effect.gen(function* () {
          yield* launcher.boot
          yield* TestClock.adjust("1 second")
          const rows = yield* launcher.control.list
          assert.deepStrictEqual(
            rows.map((r) => [r.id, r.status]),
            [
              ["a", "invalid"],
              ["b", "invalid"],
              ["c", "running"]
            ]
          )
          assert.match(rows[0]!.reason, /depends_on\.b: depends_on cycle: a -> b -> a$/)
          assert.match(rows[1]!.reason, /depends_on\.a: depends_on cycle: b -> a -> b$/)
          const start = yield* Effect.flip(launcher.control.start(ids("a")))
          assert.strictEqual(start._tag, "ConfigInvalid")
        })
    )
  )
})
