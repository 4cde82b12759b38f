import { afterAll, assert, describe, it } from "@effect/vitest"
import type { AgentEvent } from "@agentctl/core/AgentEvent"
import { Control } from "@agentctl/core/Control"
import type { BuildEvent } from "@agentctl/core/BuildOutput"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { appendFileSync } from "node:fs"
import { type IncomingHttpHeaders, request } from "node:http"
import { join } from "node:path"
import * as NodeSpawner from "@agentctl/shell/NodeSpawner"
import { Api } from "../src/Api.ts"
import {
  agentYaml,
  apiServer,
  cleanup,
  diskFleet,
  memoryFleet,
  raw,
  serverPort,
  tempDir,
  writeFiles
} from "./harness.ts"

const client = HttpApiClient.make(Api)

/** The fleet's fake processes, but builds run for real: the Spawner that runs them is the shell's. */
const withRealProcesses = <A, E, R>(fleet: Layer.Layer<A, E, R>) => Layer.merge(fleet, NodeSpawner.layer)

const exit = { code: 1, signal: null, at: 1000 }
const crashAndRestart: ReadonlyArray<AgentEvent> = [
  {
    seq: 1,
    at: 1000,
    id: "a1",
    status: "exited",
    detail: { _tag: "Exited", pid: 1234, exit, recycled: false },
    health: null,
    message: "a1 exited with code 1"
  },
  {
    seq: 2,
    at: 2000,
    id: "a1",
    status: "backoff",
    detail: { _tag: "Backoff", attempt: 1, nextAttemptAt: 3000, exit },
    health: null,
    message: "a1 restarts in 1s"
  },
  {
    seq: 3,
    at: 3000,
    id: "a1",
    status: "running",
    detail: { _tag: "Running", pid: 1240, instances: 1, startedAt: 3000 },
    health: null,
    message: "a1 restarted (pid 1240)"
  }
]

/** A build's output lines, sorted: stdout and stderr interleave in no fixed order. */
const output = (events: ReadonlyArray<BuildEvent>) =>
  events.flatMap((e) => (e._tag === "Output" ? [`${e.stream}: ${e.line}`] : [])).toSorted()

/**
 * A request over plain node:http that resolves once the response has started; `ended` says
 * whether its body ended whole (the last chunk came) or was cut.
 */
const openStream = (port: number, path: string) =>
  new Promise<{ readonly headers: IncomingHttpHeaders; readonly ended: Promise<"complete" | "cut"> }>(
    (resolve, reject) => {
      request({ host: "127.0.0.1", port, path }, (res) => {
        const ended = new Promise<"complete" | "cut">((done) => {
          res.on("error", () => done("cut"))
          res.on("close", () => done(res.complete ? "complete" : "cut"))
        })
        // Headers and the first comment are sent together: the stream runs.
        res.once("data", () => resolve({ headers: res.headers, ended }))
      })
        .on("error", reject)
        .end()
    }
  )

/** The `id:` of every frame in an SSE body. */
const seqs = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))

describe("streaming routes", () => {
  afterAll(cleanup)

  it.live("GET /agents/{id}/logs?follow=true: the last lines, then lines appended while it follows", () => {
    const root = tempDir()
    writeFiles(root, { "agents/a1/config.yaml": agentYaml("a1"), "run/a1.log": "l1\nl2\nl3\n" })
    const log = join(root, "run", "a1.log")
    return Effect.gen(function* () {
      const api = yield* client
      const response = yield* api.agents.logs({ params: { id: "a1" }, query: { tail: 2, follow: true } })
      assert.isTrue(Stream.isStream(response))
      if (!Stream.isStream(response)) return
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const reader = yield* Effect.forkChild(
        Stream.runForEach(response, (record) => Ref.update(seen, (all) => [...all, record.text]))
      )
      const waitFor = (done: (lines: ReadonlyArray<string>) => boolean, onEachTry: () => void = () => {}) =>
        Effect.gen(function* () {
          for (let i = 0; i < 400; i++) {
            if (done(yield* Ref.get(seen))) return
            onEachTry()
            yield* Effect.sleep("50 millis")
          }
          assert.fail(`log follow: timed out; saw ${JSON.stringify(yield* Ref.get(seen))}`)
        })
      yield* waitFor((lines) => lines.length >= 2)
      // The agent keeps writing; the follower must deliver what is appended after it started.
      let n = 0
      yield* waitFor(
        (lines) => lines.some((l) => l.startsWith("live-")),
        () => appendFileSync(log, `live-${++n}\n`)
      )
      appendFileSync(log, "last\n")
      yield* waitFor((lines) => lines.includes("last"))
      yield* Fiber.interrupt(reader)
      const lines = yield* Ref.get(seen)
      assert.deepStrictEqual(lines.slice(0, 2), ["l2", "l3"])
      const live = lines.slice(2, -1)
      assert.isAbove(live.length, 0)
      // in order, no duplicates, nothing but what was appended
      assert.deepStrictEqual(
        live,
        live.map((_, i) => `live-${Number(live[0]!.slice(5)) + i}`)
      )
      assert.strictEqual(lines.at(-1), "last")
      const sse = yield* raw("GET", "/agents/a1/logs?tail=1&follow=false")
      assert.deepStrictEqual((sse.body as { lines: unknown }).lines, ["last"])
    }).pipe(Effect.provide(apiServer({ fleet: diskFleet(root), dataRoot: root })))
  })

  it.live("GET /events delivers every event the Control reports, in order (a crash, then a restart)", () =>
    Effect.gen(function* () {
      const queue = yield* Queue.unbounded<AgentEvent, Cause.Done>()
      const controlled = Layer.effect(
        Control,
        Effect.gen(function* () {
          const base = yield* Control
          return Control.of({ ...base, events: Stream.fromQueue(queue) })
        })
      )
      yield* Effect.gen(function* () {
        const api = yield* client
        // returns as soon as the headers are sent, before any event exists
        const stream = yield* api.fleet.events()
        const reader = yield* Effect.forkChild(Stream.runCollect(stream))
        for (const event of crashAndRestart) yield* Queue.offer(queue, event)
        yield* Queue.end(queue)
        assert.deepStrictEqual(yield* Fiber.join(reader), crashAndRestart)
      }).pipe(
        Effect.provide(
          apiServer({
            fleet: memoryFleet({ "agents/a1/config.yaml": agentYaml("a1") }),
            dataRoot: tempDir(),
            control: controlled
          })
        )
      )
    })
  )

  it.live("GET /events on the wire: a comment first, then `id: <seq>` and `data: <json>` per event", () =>
    Effect.gen(function* () {
      const queue = yield* Queue.unbounded<AgentEvent, Cause.Done>()
      yield* Queue.offerAll(queue, crashAndRestart)
      yield* Queue.end(queue)
      const controlled = Layer.effect(
        Control,
        Effect.map(Effect.service(Control), (base) => Control.of({ ...base, events: Stream.fromQueue(queue) }))
      )
      // Those events happened before the request: Last-Event-ID 0 asks for everything since.
      const response = yield* raw("GET", "/events", { headers: { "last-event-id": "0" } }).pipe(
        Effect.provide(apiServer({ fleet: memoryFleet({}), dataRoot: tempDir(), control: controlled }))
      )
      assert.strictEqual(response.status, 200)
      assert.include(response.contentType, "text/event-stream")
      const blocks = response.text.split("\n\n").filter((b) => b !== "")
      assert.strictEqual(blocks[0], ": connected")
      const frames = blocks.slice(1).map((b) => b.split("\n"))
      assert.deepStrictEqual(
        frames.map((lines) => lines.filter((l) => !l.startsWith("data: "))),
        crashAndRestart.map((e) => [`id: ${e.seq}`])
      )
      assert.deepStrictEqual(
        frames.map((lines): unknown => JSON.parse(lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "null")),
        [...crashAndRestart]
      )
    })
  )

  it.live("GET /events resumes after Last-Event-ID or ?since=; a malformed one is a 400 naming it", () =>
    Effect.gen(function* () {
      const queue = yield* Queue.unbounded<AgentEvent, Cause.Done>()
      yield* Queue.offerAll(queue, crashAndRestart)
      yield* Queue.end(queue)
      const controlled = Layer.effect(
        Control,
        Effect.map(Effect.service(Control), (base) => Control.of({ ...base, events: Stream.fromQueue(queue) }))
      )
      yield* Effect.gen(function* () {
        assert.deepStrictEqual(seqs((yield* raw("GET", "/events", { headers: { "last-event-id": "1" } })).text), [2, 3])
        assert.deepStrictEqual(seqs((yield* raw("GET", "/events?since=2")).text), [3])
        // The header is what EventSource sends on reconnect: it wins over the URL's ?since=.
        const both = yield* raw("GET", "/events?since=0", { headers: { "last-event-id": "2" } })
        assert.deepStrictEqual(seqs(both.text), [3])
        for (const [headers, url, name] of [
          [{ "last-event-id": "x1" }, "/events", "last-event-id"],
          [{}, "/events?since=-1", "since"]
        ] as const) {
          const bad = yield* raw("GET", url, { headers })
          assert.strictEqual(bad.status, 400)
          assert.deepInclude(bad.body, { _tag: "BadRequest" })
          assert.include((bad.body as { message: string }).message, `"${name}": expected an event seq`)
        }
      }).pipe(Effect.provide(apiServer({ fleet: memoryFleet({}), dataRoot: tempDir(), control: controlled })))
    })
  )

  it.live("closing the server ends every open stream at once, with a complete body", () => {
    const root = tempDir()
    writeFiles(root, { "agents/a1/config.yaml": agentYaml("a1"), "run/a1.log": "l1\n" })
    return Effect.gen(function* () {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(apiServer({ fleet: diskFleet(root), dataRoot: root }), scope)
      const port = yield* Effect.provideContext(serverPort, context)
      const open = (path: string) => Effect.promise(() => openStream(port, path))
      const streams = [yield* open("/events"), yield* open("/agents/a1/logs?follow=true")]
      yield* Scope.close(scope, Exit.void)
      for (const stream of streams) {
        assert.strictEqual(yield* Effect.promise(() => stream.ended), "complete")
        assert.strictEqual(stream.headers["connection"], "close")
      }
    })
  })

  it.live("POST /build streams the build's stdout and stderr as events, then how it ended", () => {
    const root = tempDir()
    writeFiles(root, {
      "agentctl.yaml":
        'build: ["sh", "-c", "echo compiling; echo warning >&2; echo \\"$GREETING from $(basename $PWD)\\"; exit 3"]\n',
      ".env": "GREETING=hello\n",
      "agents/a1/config.yaml": agentYaml("a1")
    })
    return Effect.gen(function* () {
      const api = yield* client
      const fleetBuild = yield* Stream.runCollect(yield* api.fleet.build({ query: {} }))
      assert.deepInclude(fleetBuild[0], { _tag: "Step", cwd: root, agent: null })
      assert.deepStrictEqual(output(fleetBuild), [
        "stderr: warning",
        "stdout: compiling",
        `stdout: hello from ${root.split("/").at(-1)}`
      ])
      assert.deepStrictEqual(fleetBuild.at(-2), { _tag: "StepExit", exitCode: 3, signal: null })
      const done = fleetBuild.at(-1)
      assert.strictEqual(done?._tag, "Done")
      assert.isFalse(done?._tag === "Done" && done.ok)
      assert.match(done?._tag === "Done" ? done.message : "", /exited with code 3/)

      const perAgent = yield* Stream.runCollect(yield* api.fleet.build({ query: { agent: ["a1"] } }))
      assert.deepStrictEqual(perAgent[0], {
        _tag: "Step",
        argv: ["sh", "-c", 'echo compiling; echo warning >&2; echo "$GREETING from $(basename $PWD)"; exit 3'],
        cwd: join(root, "agents", "a1"),
        agent: "a1"
      })
      assert.include(output(perAgent), "stdout: hello from a1")

      const unknown = yield* Effect.flip(api.fleet.build({ query: { agent: ["ghost"] } }))
      assert.strictEqual(unknown._tag, "AgentNotFound")
    }).pipe(Effect.provide(apiServer({ fleet: withRealProcesses(diskFleet(root)), dataRoot: root })))
  })

  it.live("a step killed by a signal: StepExit with exitCode null and the signal named", () => {
    const root = tempDir()
    writeFiles(root, { "agentctl.yaml": 'build: ["sh", "-c", "echo about to die; kill -9 $$"]\n' })
    return Effect.gen(function* () {
      const events = yield* Stream.runCollect(yield* (yield* client).fleet.build({ query: {} }))
      assert.deepStrictEqual(events.slice(1), [
        { _tag: "Output", stream: "stdout", line: "about to die" },
        { _tag: "StepExit", exitCode: null, signal: "SIGKILL" },
        {
          _tag: "Done",
          ok: false,
          message: `build \`sh -c echo about to die; kill -9 $$\` in ${root} was killed by SIGKILL`
        }
      ])
    }).pipe(Effect.provide(apiServer({ fleet: withRealProcesses(diskFleet(root)), dataRoot: root })))
  })

  it.live("a build command that cannot start ends with Done{ok:false} naming it", () => {
    const root = tempDir()
    writeFiles(root, { "agentctl.yaml": 'build: ["no-such-build-tool-xyz"]\n' })
    return Effect.gen(function* () {
      const events = yield* Stream.runCollect(yield* (yield* client).fleet.build({ query: {} }))
      assert.deepStrictEqual(
        events.map((e) => e._tag),
        ["Step", "Done"]
      )
      const done = events[1]
      assert.match(done?._tag === "Done" ? done.message : "", /command "no-such-build-tool-xyz" not found on PATH/)
    }).pipe(Effect.provide(apiServer({ fleet: withRealProcesses(diskFleet(root)), dataRoot: root })))
  })
})
