import { afterAll, assert, describe, it } from "@effect/vitest"
import * as FakeProcessTable from "@agentctl/core/testing/FakeProcessTable"
import * as Effect from "effect/Effect"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import { TestClock } from "effect/testing"
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { Api } from "../src/Api.ts"
import { agentYaml, apiServer, cleanup, memoryFleet, raw, tempDir } from "./harness.ts"

const files = { "agents/a1/config.yaml": agentYaml("a1"), "agents/a2/config.yaml": agentYaml("a2") }
const client = HttpApiClient.make(Api)

/** data/<id>/memory.db with `messages` and `facts` rows created at the given unix ms. */
const memoryDb = (root: string, id: string, messages: ReadonlyArray<number>, facts: ReadonlyArray<number> = []) => {
  const dir = join(root, "data", id)
  mkdirSync(dir, { recursive: true })
  const db = new DatabaseSync(join(dir, "memory.db"))
  db.exec("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, body TEXT, created_at INTEGER NOT NULL)")
  db.exec("CREATE TABLE IF NOT EXISTS facts (id INTEGER PRIMARY KEY, body TEXT, created_at INTEGER NOT NULL)")
  for (const at of messages) db.prepare("INSERT INTO messages (body, created_at) VALUES ('hi', ?)").run(at)
  for (const at of facts) db.prepare("INSERT INTO facts (body, created_at) VALUES ('fact', ?)").run(at)
  db.close()
}

const count = (root: string, id: string, table: string) => {
  const db = new DatabaseSync(join(root, "data", id, "memory.db"), { readOnly: true })
  try {
    return Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.["n"])
  } finally {
    db.close()
  }
}

const withApi = <A, E, R>(root: string, effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provide(apiServer({ fleet: memoryFleet(files), dataRoot: root })))

describe("agent data through the API (real SQLite files)", () => {
  afterAll(cleanup)

  it.live("clear_memory stops a running agent, deletes every row of both tables, starts it again", () => {
    const root = tempDir()
    memoryDb(root, "a1", [1, 2, 3, 4, 5], [1, 2, 3])
    return withApi(
      root,
      Effect.gen(function* () {
        const api = yield* client
        const table = yield* FakeProcessTable.FakeProcessTable
        const before = yield* api.agents.start({ params: { id: "a1" } })
        const cleared = yield* api.agents.clearMemory({ params: { id: "a1" } })
        assert.deepStrictEqual(cleared, {
          status: "ok",
          messages_deleted: 5,
          facts_deleted: 3,
          database_existed: true,
          restarted: true,
          restart_error: null
        })
        assert.strictEqual(count(root, "a1", "messages"), 0)
        assert.strictEqual(count(root, "a1", "facts"), 0)
        const row = yield* api.agents.get({ params: { id: "a1" } })
        assert.strictEqual(row.status, "running")
        assert.notStrictEqual(row.pid, before.pid)
        assert.deepStrictEqual(
          (yield* table.signals).map((s) => s.signal),
          ["SIGTERM"]
        )
        const again = yield* api.agents.clearMemory({ params: { id: "a1" } })
        assert.deepStrictEqual([again.messages_deleted, again.facts_deleted], [0, 0])
      })
    )
  })

  it.live("a stopped agent is not started; no memory.db or no data folder is not an error", () => {
    const root = tempDir()
    mkdirSync(join(root, "data", "a2"), { recursive: true })
    return withApi(
      root,
      Effect.gen(function* () {
        const api = yield* client
        for (const id of ["a1", "a2"]) {
          const cleared = yield* api.agents.clearMemory({ params: { id } })
          assert.deepStrictEqual(cleared, {
            status: "ok",
            messages_deleted: 0,
            facts_deleted: 0,
            database_existed: false,
            restarted: false,
            restart_error: null
          })
          const deleted = yield* api.agents.deleteCache({ params: { id } })
          assert.deepStrictEqual(deleted.paths_deleted, [])
          assert.deepStrictEqual(deleted.paths_missing, [`data/${id}/crypto`, `data/${id}/cache`])
        }
        assert.strictEqual((yield* api.agents.get({ params: { id: "a1" } })).status, "stopped")
      })
    )
  })

  it.live("a restart that fails is reported, the clear itself succeeded", () => {
    const root = tempDir()
    memoryDb(root, "a1", [1])
    return withApi(
      root,
      Effect.gen(function* () {
        const api = yield* client
        const table = yield* FakeProcessTable.FakeProcessTable
        yield* api.agents.start({ params: { id: "a1" } })
        yield* table.setBehaviour("a1", { notFound: true })
        const cleared = yield* api.agents.clearMemory({ params: { id: "a1" } })
        assert.strictEqual(cleared.messages_deleted, 1)
        assert.isFalse(cleared.restarted)
        assert.match(cleared.restart_error ?? "", /not found/)
      })
    )
  })

  it.live("delete_cache removes crypto/ and cache/; a symlinked cache is unlinked, its target untouched", () => {
    const root = tempDir()
    const outside = tempDir("agentctl-outside-")
    writeFileSync(join(outside, "precious.txt"), "keep me")
    mkdirSync(join(root, "data", "a1", "crypto", "keys"), { recursive: true })
    writeFileSync(join(root, "data", "a1", "crypto", "keys", "k.pem"), "key")
    symlinkSync(outside, join(root, "data", "a1", "cache"))
    mkdirSync(join(root, "data", "a2", "cache"), { recursive: true })
    // a link inside a real cache folder is removed as a link as well
    symlinkSync(outside, join(root, "data", "a2", "cache", "escape"))
    return withApi(
      root,
      Effect.gen(function* () {
        const api = yield* client
        yield* api.agents.start({ params: { id: "a1" } })
        const deleted = yield* api.agents.deleteCache({ params: { id: "a1" } })
        assert.deepStrictEqual(deleted.paths_deleted, ["data/a1/crypto", "data/a1/cache"])
        assert.deepStrictEqual(deleted.paths_missing, [])
        assert.isTrue(deleted.restarted)
        assert.isFalse(existsSync(join(root, "data", "a1", "crypto")))
        assert.throws(() => lstatSync(join(root, "data", "a1", "cache")))
        const other = yield* api.agents.deleteCache({ params: { id: "a2" } })
        assert.deepStrictEqual(other.paths_deleted, ["data/a2/cache"])
        assert.strictEqual(readFileSync(join(outside, "precious.txt"), "utf8"), "keep me")
      })
    )
  })

  it.live("data/<id> symlinked outside the fleet root is refused with 409 UnsafePath", () => {
    const root = tempDir()
    const outside = tempDir("agentctl-outside-")
    mkdirSync(join(outside, "cache"))
    writeFileSync(join(outside, "cache", "precious.txt"), "keep me")
    memoryDb(outside, ".", [1])
    mkdirSync(join(root, "data"))
    symlinkSync(outside, join(root, "data", "a1"))
    return withApi(
      root,
      Effect.gen(function* () {
        const api = yield* client
        const refusals = [
          yield* Effect.flip(api.agents.deleteCache({ params: { id: "a1" } })),
          yield* Effect.flip(api.agents.clearMemory({ params: { id: "a1" } }))
        ]
        for (const error of refusals) {
          assert.strictEqual(error._tag, "UnsafePath")
          assert.match(error.message, /leads outside the fleet root/)
        }
        const response = yield* raw("POST", "/agents/a1/delete_cache")
        assert.strictEqual(response.status, 409)
        assert.isTrue(existsSync(join(outside, "cache", "precious.txt")))
        assert.strictEqual(count(outside, ".", "messages"), 1)
        // the listing still answers: messages_24h is null for that agent, not an error
        const rows = yield* api.agents.list()
        assert.strictEqual(rows.find((r) => r.id === "a1")?.messages_24h, null)
      })
    )
  })

  it.live("a locked database is a clear 409 DatabaseBusy, not a hang", () => {
    const root = tempDir()
    memoryDb(root, "a1", [1, 2])
    const holder = new DatabaseSync(join(root, "data", "a1", "memory.db"))
    holder.exec("BEGIN IMMEDIATE; INSERT INTO messages (body, created_at) VALUES ('held', 3)")
    return withApi(
      root,
      Effect.gen(function* () {
        const r = yield* raw("POST", "/agents/a1/clear_memory")
        assert.strictEqual(r.status, 409)
        assert.strictEqual((r.body as { _tag: string })._tag, "DatabaseBusy")
        assert.match((r.body as { message: string }).message, /data\/a1\/memory.db is locked/)
        holder.exec("ROLLBACK")
        const cleared = yield* (yield* client).agents.clearMemory({ params: { id: "a1" } })
        assert.strictEqual(cleared.messages_deleted, 2)
      })
    ).pipe(Effect.ensuring(Effect.sync(() => holder.isOpen && holder.close())))
  })

  it.effect("messages_24h counts the last 24 h of created_at and is cached 30 s (TestClock)", () => {
    const root = tempDir()
    const now = 1_750_000_000_000
    const hour = 3_600_000
    memoryDb(root, "a1", [now - hour, now - 2 * hour, now - 25 * hour])
    memoryDb(root, "a2", [])
    return withApi(
      root,
      Effect.gen(function* () {
        yield* TestClock.setTime(now)
        const api = yield* client
        const counts = () => Effect.map(api.agents.list(), (rows) => rows.map((r) => [r.id, r.messages_24h]))
        assert.deepStrictEqual(yield* counts(), [
          ["a1", 2],
          ["a2", 0]
        ])
        memoryDb(root, "a1", [now - 60_000])
        yield* TestClock.adjust("29 seconds")
        assert.deepStrictEqual((yield* counts())[0], ["a1", 2], "still cached")
        yield* TestClock.adjust("2 seconds")
        assert.deepStrictEqual((yield* counts())[0], ["a1", 3], "expired after 30 s")
        yield* TestClock.adjust("23 hours")
        assert.deepStrictEqual((yield* counts())[0], ["a1", 1], "older messages age out")
        assert.strictEqual((yield* api.agents.get({ params: { id: "a1" } })).messages_24h, 1)
        // clear_memory forgets the cached count at once
        yield* api.agents.clearMemory({ params: { id: "a1" } })
        assert.deepStrictEqual((yield* counts())[0], ["a1", 0])
      })
    )
  })
})
