import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { TestClock } from "effect/testing"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import {
  AgentData,
  ClearedMemory,
  clearMemory,
  DatabaseBusy,
  DeletedCache,
  deleteCache,
  UnsafePath,
  whileStopped
} from "../src/AgentData.ts"
import type { AgentRow } from "../src/AgentRow.ts"
import { Control } from "../src/Control.ts"
import type { StartOutcome } from "../src/Outcomes.ts"
import type { StatusName } from "../src/Status.ts"
import * as Daemonless from "../src/Daemonless.ts"
import { FileError } from "../src/Errors.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as FakeProbeRunner from "../src/testing/FakeProbeRunner.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"

const fleet = Daemonless.layer.pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      FakeProcessTable.layer,
      FakeProbeRunner.layer,
      MemoryFleet.makeLayer({
        "agents/a/config.yaml": "agent:\n  id: a\n  name: A\nrun:\n  command: sleep\n  args: [600]\n"
      })
    )
  )
)

/** Stops poll the process table on a timer; let TestClock run them. */
const settle = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    yield* TestClock.adjust("1 second")
    return yield* Fiber.join(fiber)
  })

describe("AgentData.whileStopped", () => {
  it.effect("a running agent is stopped for the work and started again", () =>
    Effect.gen(function* () {
      const control = yield* Control
      const [first] = yield* control.start({ _tag: "Ids", ids: ["a"] })
      const seen: Array<string> = []
      const out = yield* settle(
        whileStopped(
          "a",
          Effect.flatMap(control.status("a"), (row) => Effect.sync(() => seen.push(row.status)))
        )
      )
      assert.deepStrictEqual(seen, ["stopped"])
      assert.deepStrictEqual([out.restarted, out.restartError], [true, null])
      const row = yield* control.status("a")
      assert.strictEqual(row.status, "running")
      assert.notStrictEqual(row.pid, first!.pid)
    }).pipe(Effect.provide(fleet))
  )

  it.effect("a stopped agent stays stopped; a failed work still restarts a running one, then fails", () =>
    Effect.gen(function* () {
      const control = yield* Control
      const idle = yield* whileStopped("a", Effect.succeed(1))
      assert.deepStrictEqual(idle, { result: 1, restarted: false, restartError: null })
      assert.strictEqual((yield* control.status("a")).status, "stopped")

      yield* control.start({ _tag: "Ids", ids: ["a"] })
      const failed = yield* settle(
        Effect.flip(whileStopped("a", Effect.fail(FileError.because("x", "write", { code: "ENOSPC", detail: null }))))
      )
      assert.strictEqual(failed._tag, "FileError")
      assert.strictEqual((yield* control.status("a")).status, "running")
    }).pipe(Effect.provide(fleet))
  )

  it.effect("a restart that fails is reported beside the work's result", () =>
    Effect.gen(function* () {
      const control = yield* Control
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* control.start({ _tag: "Ids", ids: ["a"] })
      yield* table.setBehaviour("a", { notFound: true })
      const out = yield* settle(whileStopped("a", Effect.succeed("done")))
      assert.strictEqual(out.result, "done")
      assert.isFalse(out.restarted)
      assert.match(out.restartError ?? "", /not found/)
    }).pipe(Effect.provide(fleet))
  )
})

/** A Control that answers `status` with this status word and records what whileStopped asks of it. */
const scripted = (status: StatusName, started: ReadonlyArray<StartOutcome>, calls: Array<string>) =>
  Layer.mock(Control, {
    supervisor: "launcher",
    status: (id) =>
      Effect.succeed<AgentRow>({
        id,
        name: "",
        enabled: true,
        status,
        reason: "",
        pid: null,
        instances: 0,
        uptime: null,
        restarts: 0,
        file: "",
        error: null,
        supervisor: "launcher",
        detail: { _tag: "Stopped" },
        logs: null,
        health: null,
        probes: [],
        drift: null
      }),
    stop: (targets) =>
      Effect.sync(() => {
        calls.push(`stop ${JSON.stringify(targets)}`)
        return []
      }),
    start: (targets) =>
      Effect.sync(() => {
        calls.push(`start ${JSON.stringify(targets)}`)
        return started
      })
  })

describe("AgentData.whileStopped, state by state", () => {
  const ok: StartOutcome = { id: "a", result: "started", pid: 7, error: null }
  const only = JSON.stringify({ _tag: "Ids", ids: ["a"] })

  it.effect.each<readonly [StatusName, ReadonlyArray<string>]>([
    // Running, or about to: stopped for the work and started again.
    ["running", ["stop", "work", "start"]],
    ["starting", ["stop", "work", "start"]],
    ["backoff", ["stop", "work", "start"]],
    // Shutting down: it must have finished first, and it stays down.
    ["stopping", ["stop", "work"]],
    ["stopped", ["work"]],
    ["exited", ["work"]],
    ["disabled", ["work"]],
    ["gave-up", ["work"]],
    ["invalid", ["work"]]
  ])("%s: %j", ([status, expected]) =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const out = yield* whileStopped(
        "a",
        Effect.sync(() => calls.push("work"))
      ).pipe(Effect.provide(scripted(status, [ok], calls)))
      assert.deepStrictEqual(
        calls.map((c) => c.split(" ")[0]),
        [...expected]
      )
      assert.isTrue(calls.filter((c) => c !== "work").every((c) => c.endsWith(only)))
      assert.deepStrictEqual([out.restarted, out.restartError], [expected.includes("start"), null])
    })
  )

  it.effect("a start that answers nothing for the agent is a restart error naming it", () =>
    Effect.gen(function* () {
      const out = yield* whileStopped("a", Effect.succeed("done")).pipe(Effect.provide(scripted("running", [], [])))
      assert.deepStrictEqual(out, { result: "done", restarted: false, restartError: "a was not started again" })
    })
  )
})

describe("AgentData programs", () => {
  const data = Layer.mock(AgentData, {
    clearMemory: () => Effect.succeed({ messages_deleted: 3, facts_deleted: 1, database_existed: true }),
    deleteCache: () => Effect.succeed({ paths_deleted: ["data/a/cache"], paths_missing: ["data/a/crypto"] })
  })

  it.effect("clearMemory and deleteCache do their work with the agent stopped, then start it again", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const control = scripted("running", [{ id: "a", result: "started", pid: 7, error: null }], calls)
      const cleared = yield* clearMemory("a").pipe(Effect.provide(Layer.merge(control, data)))
      assert.deepStrictEqual(cleared, {
        result: { messages_deleted: 3, facts_deleted: 1, database_existed: true },
        restarted: true,
        restartError: null
      })
      const deleted = yield* deleteCache("a").pipe(Effect.provide(Layer.merge(control, data)))
      assert.deepStrictEqual(deleted.result, { paths_deleted: ["data/a/cache"], paths_missing: ["data/a/crypto"] })
      assert.deepStrictEqual(
        calls.map((c) => c.split(" ")[0]),
        ["stop", "start", "stop", "start"]
      )
    })
  )
})

describe("AgentData schemas", () => {
  it("results encode to the keys of the API's answers and decode back", () => {
    const cleared = { messages_deleted: 3, facts_deleted: 0, database_existed: false }
    const deleted = { paths_deleted: ["data/a/cache"], paths_missing: [] }
    for (const [schema, value, keys] of [
      [ClearedMemory, cleared, ["database_existed", "facts_deleted", "messages_deleted"]],
      [DeletedCache, deleted, ["paths_deleted", "paths_missing"]]
    ] as const) {
      const codec: Schema.Codec<unknown, unknown> = schema
      const json: unknown = JSON.parse(JSON.stringify(Schema.encodeUnknownSync(codec)(value)))
      assert.deepStrictEqual(Object.keys(json as object).toSorted(), [...keys])
      assert.deepStrictEqual(Schema.decodeUnknownResult(codec)(json), Result.succeed(value))
    }
    assert.isTrue(Result.isFailure(Schema.decodeUnknownResult(ClearedMemory)({ ...cleared, facts_deleted: 1.5 })))
    assert.isTrue(Result.isFailure(Schema.decodeUnknownResult(DeletedCache)({ paths_deleted: [] })))
  })

  it("a busy database and an unsafe path are errors with the fields a user needs, sent as 409", () => {
    const busy = new DatabaseBusy({ id: "a", file: "data/a/memory.db", message: "database is locked" })
    const unsafe = UnsafePath.refusing("a", "open", "data/a", "it leads outside the fleet root (to /etc)")
    assert.deepStrictEqual(Schema.encodeUnknownSync(DatabaseBusy)(busy), {
      _tag: "DatabaseBusy",
      id: "a",
      file: "data/a/memory.db",
      message: "database is locked"
    })
    assert.deepStrictEqual(Schema.encodeUnknownSync(UnsafePath)(unsafe), {
      _tag: "UnsafePath",
      id: "a",
      path: "data/a",
      action: "open",
      reason: "it leads outside the fleet root (to /etc)",
      message: "refusing to open data/a: it leads outside the fleet root (to /etc)"
    })
    const api = HttpApi.make("t").add(
      HttpApiGroup.make("g").add(
        HttpApiEndpoint.post("busy", "/busy", { success: Schema.String, error: DatabaseBusy }),
        HttpApiEndpoint.post("unsafe", "/unsafe", { success: Schema.String, error: UnsafePath })
      )
    )
    const paths = OpenApi.fromApi(api).paths
    assert.deepStrictEqual(Object.keys(paths["/busy"]?.post?.responses ?? {}), ["200", "409"])
    assert.deepStrictEqual(Object.keys(paths["/unsafe"]?.post?.responses ?? {}), ["200", "409"])
  })
})
