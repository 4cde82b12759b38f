import { afterAll, assert, describe, it } from "@effect/vitest"
import * as FakeProcessTable from "@agentctl/core/testing/FakeProcessTable"
import { Control } from "@agentctl/core/Control"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as References from "effect/References"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as Stream from "effect/Stream"
import { Api } from "../src/Api.ts"
import { agentYaml, apiServer, cleanup, memoryFleet, raw, tempDir } from "./harness.ts"

const fleetFiles = {
  "agents/a1/config.yaml": agentYaml("a1"),
  "agents/a2/config.yaml": agentYaml("a2"),
  "agents/off/config.yaml": agentYaml("off", "", false),
  "agents/stubborn/config.yaml": agentYaml("stubborn", "  stop_timeout: 10s\n"),
  "agents/zbad/config.yaml": "agent:\n  id: [oops\n",
  "run/a1.log": "one\ntwo\nthree\nfour\n"
}

const withApi = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provide(apiServer({ fleet: memoryFleet(fleetFiles), dataRoot: tempDir() })))

const client = HttpApiClient.make(Api)

/** What the launcher reports for an agent that exits before it counts as started. */
const failedStart = (id: string) => ({ id, result: "failed" as const, pid: null, error: "exited with code 1" })

describe("API routes (typed client, fake processes)", () => {
  afterAll(cleanup)

  it.live("GET /healthz reports status, version, pid and uptime", () =>
    withApi(
      Effect.gen(function* () {
        const api = yield* client
        const health = yield* api.system.health()
        assert.strictEqual(health.status, "ok")
        assert.strictEqual(health.version, "test-version")
        assert.strictEqual(health.pid, process.pid)
        assert.isAtLeast(health.uptime, 0)
      })
    )
  )

  it.live("GET /agents lists every agent with messages_24h; GET /agents/{id} one of them", () =>
    withApi(
      Effect.gen(function* () {
        const api = yield* client
        const rows = yield* api.agents.list()
        assert.deepStrictEqual(
          rows.map((r) => [r.id, r.status, r.messages_24h]),
          [
            ["a1", "stopped", null],
            ["a2", "stopped", null],
            ["off", "disabled", null],
            ["stubborn", "stopped", null],
            [null, "invalid", null]
          ]
        )
        const one = yield* api.agents.get({ params: { id: "a2" } })
        assert.strictEqual(one.name, "Agent a2")
        assert.strictEqual(one.supervisor, "daemonless")
      })
    )
  )

  it.live("start, 409 AlreadyRunning, stop, 409 NotRunning, kill, restart", () =>
    withApi(
      Effect.gen(function* () {
        const api = yield* client
        const id = { params: { id: "a1" } }
        const started = yield* api.agents.start(id)
        assert.strictEqual(started.result, "started")
        const again = yield* Effect.flip(api.agents.start(id))
        assert.strictEqual(again._tag, "AlreadyRunning")
        assert.strictEqual(again._tag === "AlreadyRunning" && again.pid, started.pid)
        assert.match(again.message, /already running/)

        const restarted = yield* api.agents.restart({ ...id, query: {} })
        assert.strictEqual(restarted.stop.result, "stopped")
        assert.strictEqual(restarted.start.result, "started")
        assert.notStrictEqual(restarted.start.pid, started.pid)

        const stopped = yield* api.agents.stop({ ...id, query: {} })
        assert.strictEqual(stopped.result, "stopped")
        assert.deepStrictEqual(stopped.pids, [restarted.start.pid ?? -1])
        assert.strictEqual((yield* Effect.flip(api.agents.stop({ ...id, query: {} })))._tag, "NotRunning")
        assert.strictEqual((yield* Effect.flip(api.agents.kill(id)))._tag, "NotRunning")

        yield* api.agents.start(id)
        const killed = yield* api.agents.kill(id)
        assert.strictEqual(killed.result, "killed")
        // restart of a stopped agent just starts it
        assert.strictEqual((yield* api.agents.restart({ ...id, query: {} })).start.result, "started")
      })
    )
  )

  it.live("stop ?timeout= overrides stop_timeout and escalates to SIGKILL", () =>
    withApi(
      Effect.gen(function* () {
        const api = yield* client
        const table = yield* FakeProcessTable.FakeProcessTable
        yield* table.setBehaviour("stubborn", { ignoresTerm: true })
        yield* api.agents.start({ params: { id: "stubborn" } })
        const stopped = yield* api.agents.stop({ params: { id: "stubborn" }, query: { timeout: 200 } })
        assert.isTrue(stopped.escalated)
        const bad = yield* raw("POST", "/agents/stubborn/stop?timeout=2x")
        assert.strictEqual(bad.status, 400)
        assert.deepStrictEqual((bad.body as { issues: unknown }).issues, [
          { path: ["timeout"], message: 'expected a duration from 0 to 1h, such as 500ms, 5s or 2m, got "2x"' }
        ])
        // At most an hour: a request is held open as long as the stop takes.
        for (const timeout of ["3000000s", "3601", "61m", "1.5h", "3600001ms", "2h"]) {
          const r = yield* raw("POST", `/agents/stubborn/stop?timeout=${timeout}`)
          assert.strictEqual(r.status, 400, timeout)
          assert.match(
            (r.body as { message: string }).message,
            /^query parameter "timeout": expected a duration from 0 to 1h/
          )
        }
      })
    )
  )

  it.live("a start that fails is 409 StartFailed with the reason, never a 500", () =>
    withApi(
      Effect.gen(function* () {
        const table = yield* FakeProcessTable.FakeProcessTable
        yield* table.setBehaviour("a2", { notFound: true })
        const error = yield* Effect.flip((yield* client).agents.start({ params: { id: "a2" } }))
        assert.strictEqual(error._tag, "StartFailed")
        assert.match(error.message, /failed to start a2: command "sleep" not found/)
        const r = yield* raw("POST", "/agents/a2/start")
        assert.strictEqual(r.status, 409)
        assert.deepInclude(r.body, { _tag: "StartFailed", id: "a2", stopped: null })
      })
    )
  )

  it.live("an agent that exits at once: start and restart answer 409 StartFailed saying what happened", () => {
    const exitsAtOnce = Layer.effect(
      Control,
      Effect.map(Effect.service(Control), (base) =>
        Control.of({
          ...base,
          start: (targets) => Effect.succeed((targets._tag === "Ids" ? targets.ids : []).map((id) => failedStart(id))),
          restart: (targets, timeoutMs) =>
            Effect.map(base.stop(targets, timeoutMs), (stops) =>
              stops.map((stop) => ({ stop, start: failedStart(stop.id) }))
            )
        })
      )
    )
    return Effect.gen(function* () {
      const api = yield* client
      const started = yield* Effect.flip(api.agents.start({ params: { id: "a1" } }))
      assert.strictEqual(started._tag, "StartFailed")
      assert.deepInclude(started, { id: "a1", reason: "exited with code 1", stopped: null })
      const restarted = yield* Effect.flip(api.agents.restart({ params: { id: "a1" }, query: {} }))
      assert.strictEqual(restarted._tag, "StartFailed")
      assert.strictEqual(restarted._tag === "StartFailed" && restarted.stopped?.result, "not-running")
      assert.strictEqual((yield* raw("POST", "/agents/a1/restart")).status, 409)
    }).pipe(Effect.provide(apiServer({ fleet: memoryFleet(fleetFiles), dataRoot: tempDir(), control: exitsAtOnce })))
  })

  it.live(
    "stop of an agent in backoff cancels its restart: 200 restart-cancelled; 409 only when nothing was done",
    () => {
      const inBackoff = Layer.effect(
        Control,
        Effect.map(Effect.service(Control), (base) =>
          Control.of({
            ...base,
            stop: (targets) =>
              Effect.succeed(
                (targets._tag === "Ids" ? targets.ids : []).map((id) => ({
                  id,
                  result: id === "a1" ? ("restart-cancelled" as const) : ("not-running" as const),
                  pids: [],
                  escalated: false,
                  removedStaleRecord: false
                }))
              )
          })
        )
      )
      return Effect.gen(function* () {
        const cancelled = yield* raw("POST", "/agents/a1/stop")
        assert.strictEqual(cancelled.status, 200)
        assert.deepInclude(cancelled.body, { id: "a1", result: "restart-cancelled" })
        const idle = yield* raw("POST", "/agents/a2/stop")
        assert.strictEqual(idle.status, 409)
        assert.deepInclude(idle.body, { _tag: "NotRunning", id: "a2" })
      }).pipe(Effect.provide(apiServer({ fleet: memoryFleet(fleetFiles), dataRoot: tempDir(), control: inBackoff })))
    }
  )

  it.live("enable / disable rewrite the config and show in the listing", () =>
    withApi(
      Effect.gen(function* () {
        const api = yield* client
        const off = yield* api.agents.disable({ params: { id: "a1" } })
        assert.deepStrictEqual([off.enabled, off.changed], [false, true])
        assert.strictEqual((yield* api.agents.get({ params: { id: "a1" } })).status, "disabled")
        const on = yield* api.agents.enable({ params: { id: "a1" } })
        assert.deepStrictEqual([on.enabled, on.changed], [true, true])
      })
    )
  )

  it.live("stats, env (secrets redacted) and logs (?tail=)", () =>
    withApi(
      Effect.gen(function* () {
        const api = yield* client
        yield* api.agents.start({ params: { id: "a1" } })
        const stats = yield* api.agents.stats({ params: { id: "a1" } })
        assert.deepStrictEqual([stats.status, stats.processes, stats.rssBytes], ["running", 1, 10 * 1024 * 1024])

        const env = yield* api.agents.env({ params: { id: "a1" } })
        const byKey = new Map(env.map((e) => [e.key, e]))
        assert.strictEqual(byKey.get("API_TOKEN")?.value, "••••••")
        assert.strictEqual(byKey.get("HOME")?.value, "/root")
        assert.strictEqual(byKey.get("AGENTCTL_AGENT")?.source, "agentctl")

        const tail2 = yield* api.agents.logs({ params: { id: "a1" }, query: { tail: 2 } })
        assert.deepStrictEqual(!Stream.isStream(tail2) && tail2.lines, ["three", "four"])
        assert.deepStrictEqual(!Stream.isStream(tail2) && tail2.records.map((r) => [r.seq, r.at, r.stream, r.text]), [
          [null, null, "stdout", "three"],
          [null, null, "stdout", "four"]
        ])
        const all = yield* api.agents.logs({ params: { id: "a1" }, query: {} })
        assert.deepStrictEqual(!Stream.isStream(all) && all.lines, ["one", "two", "three", "four"])
        for (const tail of ["-1", "100001", "1.5", "1e3", "", "0x10"]) {
          const r = yield* raw("GET", `/agents/a1/logs?tail=${tail}`)
          assert.strictEqual(r.status, 400, tail)
          assert.match(
            (r.body as { message: string }).message,
            /^query parameter "tail": expected an integer from 0 to 100000/
          )
        }
        assert.strictEqual((yield* raw("GET", "/agents/a1/logs?follow=maybe")).status, 400)
      })
    )
  )

  it.live("GET /agents/{id}/history: a stop and a kill, newest first; none is an empty history", () =>
    withApi(
      Effect.gen(function* () {
        const api = yield* client
        const id = { params: { id: "a1" } }
        assert.deepStrictEqual(yield* api.agents.history(id), { restarts: 0, exits: [] })
        const first = yield* api.agents.start(id)
        yield* api.agents.stop({ ...id, query: {} })
        const second = yield* api.agents.start(id)
        yield* api.agents.kill(id)
        const history = yield* api.agents.history(id)
        assert.deepStrictEqual(
          history.exits.map((e) => [e.reason, e.pid, e.code, e.signal]),
          [
            ["killed", second.pid, null, "SIGKILL"],
            ["stopped", first.pid, null, "SIGTERM"]
          ]
        )
        assert.strictEqual(history.restarts, 0)
        const r = yield* raw("GET", "/agents/a1/history")
        assert.strictEqual(r.status, 200)
        assert.deepStrictEqual(
          (r.body as { exits: ReadonlyArray<Record<string, unknown>> }).exits.map((e) => Object.keys(e).toSorted()),
          [
            ["at", "code", "pid", "reason", "signal", "uptime"],
            ["at", "code", "pid", "reason", "signal", "uptime"]
          ]
        )
      })
    )
  )

  it.live("every per-agent route: 400 for a malformed id, 404 for an unknown one", () =>
    withApi(
      Effect.gen(function* () {
        const routes: Array<["GET" | "POST", string]> = [
          ["GET", ""],
          ["POST", "/start"],
          ["POST", "/stop"],
          ["POST", "/restart"],
          ["POST", "/kill"],
          ["POST", "/enable"],
          ["POST", "/disable"],
          ["GET", "/stats"],
          ["GET", "/history"],
          ["GET", "/env"],
          ["GET", "/logs"],
          ["POST", "/clear_memory"],
          ["POST", "/delete_cache"]
        ]
        for (const [method, suffix] of routes) {
          const unknown = yield* raw(method, `/agents/ghost${suffix}`)
          assert.strictEqual(unknown.status, 404, `${method} ${suffix}`)
          assert.deepStrictEqual((unknown.body as { _tag: string; id: string })._tag, "AgentNotFound")
          for (const id of ["UPPER", "-dash", "a%2Fb", ".hidden", `${"x".repeat(64)}`, "%E2%98%83"]) {
            const bad = yield* raw(method, `/agents/${id}${suffix}`)
            assert.strictEqual(bad.status, 400, `${method} ${id}${suffix}`)
            assert.strictEqual((bad.body as { _tag: string })._tag, "BadRequest")
            assert.match((bad.body as { message: string }).message, /^path parameter "id": an agent id is/)
          }
        }
      })
    )
  )

  it.live("bulk /fleet/* endpoints: outcomes, never 409; bad targets are 400", () =>
    withApi(
      Effect.gen(function* () {
        const api = yield* client
        const started = yield* api.fleet.start({ payload: { all: true } })
        assert.deepStrictEqual(
          started.map((o) => [o.id, o.result]),
          [
            ["a1", "started"],
            ["a2", "started"],
            ["stubborn", "started"]
          ]
        )
        const again = yield* api.fleet.start({ payload: { ids: ["a1", "off"] } })
        assert.deepStrictEqual(
          again.map((o) => o.result),
          ["already-running", "started"]
        )
        const stopped = yield* api.fleet.stop({ payload: { ids: ["a1", "a2"], timeout: 1000 } })
        assert.deepStrictEqual(
          stopped.map((o) => o.result),
          ["stopped", "stopped"]
        )
        const killed = yield* api.fleet.kill({ payload: { ids: ["a1", "off"] } })
        assert.deepStrictEqual(
          killed.map((o) => o.result),
          ["not-running", "killed"]
        )
        const restarted = yield* api.fleet.restart({ payload: { ids: ["a1"] } })
        assert.deepStrictEqual(
          restarted.map((o) => [o.stop.result, o.start.result]),
          [["not-running", "started"]]
        )
        const bodies: ReadonlyArray<readonly [string, RegExp]> = [
          ["{}", /^body: give at least one agent id in "ids", or "all": true$/],
          ['{"ids":[]}', /^body: give at least one agent id/],
          ['{"all":false}', /^body: give at least one agent id/],
          ['{"ids":["a1"],"all":true}', /^body: give "ids" or "all": true, not both$/],
          ['{"all":true,"force":true}', /"force"/],
          ['{"ids":["a1"],"timeout":"1h","signal":"KILL"}', /"signal"/]
        ]
        for (const [body, message] of bodies) {
          const r = yield* raw("POST", "/fleet/stop", { body })
          assert.strictEqual(r.status, 400, body)
          assert.strictEqual((r.body as { _tag: string })._tag, "BadRequest", body)
          assert.match((r.body as { message: string }).message, message, body)
        }
        // The typed client refuses the same bodies before sending them.
        assert.strictEqual((yield* Effect.flip(api.fleet.stop({ payload: {} })))._tag, "SchemaError")
        const unknown = yield* Effect.flip(api.fleet.start({ payload: { ids: ["ghost"] } }))
        assert.strictEqual(unknown._tag, "AgentNotFound")
        const badTimeout = yield* raw("POST", "/fleet/stop", { body: '{"all":true,"timeout":"later"}' })
        assert.strictEqual(badTimeout.status, 400)
        assert.match((badTimeout.body as { message: string }).message, /^body field "timeout": expected a duration/)
      })
    )
  )

  it.live("POST /reload without a launcher is 400 UsageError; /events ends when Control has none", () =>
    withApi(
      Effect.gen(function* () {
        const api = yield* client
        const error = yield* Effect.flip(api.fleet.reload())
        assert.strictEqual(error._tag, "UsageError")
        assert.deepStrictEqual(yield* Stream.runCollect(yield* api.fleet.events()), [])
      })
    )
  )

  it.live("unknown routes, wrong methods and bad bodies are JSON errors", () =>
    withApi(
      Effect.gen(function* () {
        const cases: Array<[Parameters<typeof raw>, number, string]> = [
          [["GET", "/nope"], 404, "RouteNotFound"],
          [["DELETE", "/agents"], 404, "RouteNotFound"],
          [["GET", "/agents/a1/start"], 404, "RouteNotFound"],
          [["POST", "/fleet/start", { body: "{oops" }], 400, "BadRequest"],
          [["POST", "/fleet/start", { body: "[1,2]" }], 400, "BadRequest"],
          [["POST", "/fleet/start", { body: '{"ids":"a1"}' }], 400, "BadRequest"],
          [["POST", "/fleet/start", { body: "ids=a1", contentType: "text/plain" }], 415, "UnsupportedMediaType"],
          [["POST", "/fleet/start", { body: `{"ids":["${"a".repeat(2 * 1024 * 1024)}"]}` }], 413, "PayloadTooLarge"]
        ]
        for (const [args, status, tag] of cases) {
          const r = yield* raw(...args)
          assert.strictEqual(r.status, status, `${args[0]} ${args[1]}`)
          assert.include(r.contentType, "application/json")
          assert.strictEqual((r.body as { _tag: string })._tag, tag)
          assert.isString((r.body as { message: string }).message)
        }
      })
    )
  )

  it.live("a defect is a 500 InternalError in JSON, its details logged, never sent", () => {
    const broken = Layer.effect(
      Control,
      Effect.map(Effect.service(Control), (base) =>
        Control.of({ ...base, list: Effect.die(new Error("secret internals")) })
      )
    )
    return Effect.gen(function* () {
      const r = yield* raw("GET", "/agents")
      assert.strictEqual(r.status, 500)
      assert.deepStrictEqual(r.body, { _tag: "InternalError", message: "internal error; see the launcher log" })
      assert.notInclude(r.text, "secret")
      assert.strictEqual((yield* raw("GET", "/healthz")).status, 200)
    }).pipe(
      Effect.provide(apiServer({ fleet: memoryFleet(fleetFiles), dataRoot: tempDir(), control: broken })),
      Effect.provideService(References.MinimumLogLevel, "None")
    )
  })

  it.live("GET /openapi.json is OpenAPI 3.1 with the bearer scheme; GET /docs is the docs page", () =>
    withApi(
      Effect.gen(function* () {
        const spec = (yield* raw("GET", "/openapi.json")).body as {
          openapi: string
          paths: Record<string, unknown>
          components: { securitySchemes: Record<string, { type: string; scheme: string }> }
        }
        assert.strictEqual(spec.openapi, "3.1.0")
        assert.deepStrictEqual(
          [spec.components.securitySchemes["bearer"]?.type, spec.components.securitySchemes["bearer"]?.scheme],
          ["http", "Bearer"]
        )
        for (const path of [
          "/healthz",
          "/agents/{id}/logs",
          "/agents/{id}/clear_memory",
          "/events",
          "/build",
          "/fleet/stop"
        ]) {
          assert.property(spec.paths, path)
        }
        const docs = yield* raw("GET", "/docs")
        assert.strictEqual(docs.status, 200)
        assert.include(docs.contentType, "text/html")
      })
    )
  )
})
