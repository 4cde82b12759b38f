import { AgentData } from "@agentctl/core/AgentData"
import { afterEach, assert, describe, it } from "@effect/vitest"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { layer } from "../src/SqliteAgentData.ts"
import { cleanup, tempDir } from "./support.ts"

const DAY = 86_400_000
const now = 1_750_000_000_000

const withData = <A, E>(f: (data: Context.Service.Shape<typeof AgentData>, root: string) => Effect.Effect<A, E>) => {
  const root = tempDir("agentctl-data-")
  return AgentData.use((data) => f(data, root)).pipe(Effect.provide(layer(root)))
}

const db = (root: string, id: string, sql: string) => {
  mkdirSync(join(root, "data", id), { recursive: true })
  const handle = new DatabaseSync(join(root, "data", id, "memory.db"))
  handle.exec(sql)
  handle.close()
}

const tables =
  "CREATE TABLE messages (id INTEGER PRIMARY KEY, created_at INTEGER); CREATE TABLE facts (id INTEGER PRIMARY KEY, created_at INTEGER);"

describe("SqliteAgentData", () => {
  afterEach(cleanup)

  it.effect("ids that could leave data/ are refused before any path is built", () =>
    withData((data) =>
      Effect.gen(function* () {
        for (const id of ["..", "../x", "a/b", "", ".hidden", "a..b", "A", "x".repeat(64)]) {
          const error = yield* Effect.flip(data.clearMemory(id))
          assert.strictEqual(error._tag, "UsageError", id)
        }
      })
    )
  )

  it.effect("withData: the agent ids under data/, none when there is no data/ at all", () =>
    withData((data, root) =>
      Effect.gen(function* () {
        assert.deepStrictEqual([...(yield* data.withData)], [])
        mkdirSync(join(root, "data", "a"), { recursive: true })
        mkdirSync(join(root, "data", "Not An Id"))
        writeFileSync(join(root, "data", "b"), "")
        symlinkSync("/nowhere", join(root, "data", "c"))
        assert.deepStrictEqual([...(yield* data.withData)].toSorted(), ["a", "b", "c"])
      })
    )
  )

  it.effect("messages24h: null without memory.db, 0 without a messages table, the 24 h window otherwise", () =>
    withData((data, root) =>
      Effect.gen(function* () {
        assert.isNull(yield* data.messages24h("a", now))
        db(root, "a", "CREATE TABLE other (x)")
        assert.strictEqual(yield* data.messages24h("a", now), 0)
        db(
          root,
          "b",
          `${tables} INSERT INTO messages (created_at) VALUES (${now}), (${now - DAY + 1}), (${now - DAY}), (0);`
        )
        assert.strictEqual(yield* data.messages24h("b", now), 2)
      })
    )
  )

  it.effect("clearMemory deletes in one transaction: a failing facts delete keeps every message", () =>
    withData((data, root) =>
      Effect.gen(function* () {
        db(
          root,
          "a",
          `${tables} INSERT INTO messages (created_at) VALUES (1), (2); INSERT INTO facts (created_at) VALUES (1);
           CREATE TRIGGER keep BEFORE DELETE ON facts BEGIN SELECT RAISE(ABORT, 'facts are forever'); END;`
        )
        const error = yield* Effect.flip(data.clearMemory("a"))
        assert.strictEqual(error._tag, "FileError")
        assert.match(error.message, /facts are forever/)
        assert.strictEqual(yield* data.messages24h("a", 10), 2)
        db(root, "a", "DROP TRIGGER keep")
        assert.deepStrictEqual(yield* data.clearMemory("a"), {
          messages_deleted: 2,
          facts_deleted: 1,
          database_existed: true
        })
      })
    )
  )

  it.effect("a memory.db that is a symlink or a folder is refused, never opened", () =>
    withData((data, root) =>
      Effect.gen(function* () {
        const outside = tempDir("agentctl-outside-")
        db(outside, "x", `${tables} INSERT INTO messages (created_at) VALUES (1);`)
        mkdirSync(join(root, "data", "a"), { recursive: true })
        symlinkSync(join(outside, "data", "x", "memory.db"), join(root, "data", "a", "memory.db"))
        mkdirSync(join(root, "data", "b", "memory.db"), { recursive: true })
        for (const id of ["a", "b"]) {
          const error = yield* Effect.flip(data.clearMemory(id))
          assert.strictEqual(error._tag, "UnsafePath", id)
        }
        const kept = new DatabaseSync(join(outside, "data", "x", "memory.db"), { readOnly: true })
        assert.strictEqual(Number(kept.prepare("SELECT count(*) AS n FROM messages").get()?.["n"]), 1)
        kept.close()
      })
    )
  )

  it.effect("data/<id>: a symlink inside the fleet root is followed; outside or dangling is refused", () =>
    withData((data, root) =>
      Effect.gen(function* () {
        mkdirSync(join(root, "elsewhere", "cache"), { recursive: true })
        mkdirSync(join(root, "data"), { recursive: true })
        symlinkSync(join(root, "elsewhere"), join(root, "data", "inside"))
        assert.deepStrictEqual((yield* data.deleteCache("inside")).paths_deleted, ["data/inside/cache"])
        assert.isFalse(existsSync(join(root, "elsewhere", "cache")))

        symlinkSync("/tmp", join(root, "data", "outside"))
        symlinkSync(join(root, "nowhere"), join(root, "data", "dangling"))
        writeFileSync(join(root, "data", "file"), "not a folder")
        for (const id of ["outside", "dangling", "file"]) {
          const error = yield* Effect.flip(data.deleteCache(id))
          assert.strictEqual(error._tag, "UnsafePath", id)
        }
      })
    )
  )

  it.effect("deleteCache unlinks links and files as what they are; a folder's inner links are not followed", () =>
    withData((data, root) =>
      Effect.gen(function* () {
        const outside = tempDir("agentctl-outside-")
        writeFileSync(join(outside, "keep.txt"), "keep")
        mkdirSync(join(root, "data", "a", "cache", "deep"), { recursive: true })
        symlinkSync(outside, join(root, "data", "a", "cache", "deep", "link"))
        writeFileSync(join(root, "data", "a", "crypto"), "a file, not a folder")
        const out = yield* data.deleteCache("a")
        assert.deepStrictEqual(out, { paths_deleted: ["data/a/crypto", "data/a/cache"], paths_missing: [] })
        assert.strictEqual(readFileSync(join(outside, "keep.txt"), "utf8"), "keep")
        assert.isTrue(existsSync(join(root, "data", "a")))
      })
    )
  )
})
