/**
 * AgentData on the local file system and node:sqlite. Every path is derived from a validated id
 * and checked to stay inside `<root>/data/<id>/`: the agent folder's real path must lie under
 * the fleet root's, memory.db must be a regular file, and `crypto`/`cache` are removed with
 * lstat semantics (a symlink is unlinked, never followed).
 */
import { AgentData, type ClearedMemory, DatabaseBusy, type DeletedCache, UnsafePath } from "@agentctl/core/AgentData"
import { agentIdRule, isAgentId } from "@agentctl/core/AgentId"
import { quoted } from "@agentctl/core/printable"
import { FileError, UsageError } from "@agentctl/core/Errors"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { Stats } from "node:fs"
import { lstat, readdir, realpath, rm, stat, unlink } from "node:fs/promises"
import { DatabaseSync } from "node:sqlite"
import { join, resolve, sep } from "node:path"
import { errorCode } from "./errno.ts"
import { attempt } from "./internal/files.ts"
import { isSqliteBusy } from "./internal/sqliteErrors.ts"

const DAY_MS = 86_400_000

/**
 * DatabaseSync waits for a lock synchronously, blocking the event loop; in the launcher that
 * would freeze every agent's supervision. So each attempt waits at most this long, and the
 * attempts are spaced with Effect sleeps: about 2 s in all before DatabaseBusy.
 */
export const busyTimeoutMs = 100
const busyRetries = 10
const busyRetry = { schedule: Schedule.spaced(busyTimeoutMs), times: busyRetries } as const

const lstatOrNull = (file: string): Effect.Effect<Stats | null, FileError> =>
  attempt(file, "inspect", () =>
    lstat(file).catch((error: unknown) => {
      const code = errorCode(error)
      if (code === "ENOENT" || code === "ENOTDIR") return null
      throw error
    })
  )

/** A path as the user knows it: relative to the fleet root, whatever symlinks lie underneath. */
const shown = (id: string, ...rest: Array<string>) => ["data", id, ...rest].join("/")

const tables = (db: DatabaseSync): ReadonlySet<string> =>
  new Set(
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('messages', 'facts')")
      .all()
      .map((row) => String(row["name"]))
  )

/** Open, run `f`, close; a lock held past the busy timeout is DatabaseBusy, anything else FileError. */
const withDb = <A>(id: string, file: string, readOnly: boolean, f: (db: DatabaseSync) => A) =>
  Effect.try({
    try: () => {
      const db = new DatabaseSync(file, { readOnly, timeout: busyTimeoutMs })
      try {
        return f(db)
      } finally {
        db.close()
      }
    },
    catch: (error): DatabaseBusy | FileError =>
      isSqliteBusy(error)
        ? DatabaseBusy.holding(id, shown(id, "memory.db"))
        : FileError.fromCause(shown(id, "memory.db"), "use the database", error)
  }).pipe(Effect.retry({ ...busyRetry, while: (e) => e._tag === "DatabaseBusy" }))

const removeEntry = (id: string, dir: string, name: string) =>
  Effect.gen(function* () {
    const path = join(dir, name)
    const info = yield* lstatOrNull(path)
    if (info === null) return false
    // unlink a link (or a file) as what it is; only a real folder is removed recursively, and
    // rm's recursion itself unlinks symlinks inside rather than following them.
    yield* attempt(shown(id, name), "remove", () =>
      info.isDirectory() ? rm(path, { recursive: true, force: true }) : unlink(path)
    )
    return true
  })

export const make = (root: string): Context.Service.Shape<typeof AgentData> => {
  const fleetRoot = resolve(root)

  /** The agent folder's real path, or null when there is none; refused when it leads out of the fleet root. */
  const agentDir = Effect.fn("SqliteAgentData.agentDir")(function* (id: string) {
    if (!isAgentId(id)) {
      return yield* new UsageError({ message: `${quoted(id.slice(0, 80))} is not a valid agent id (${agentIdRule})` })
    }
    const dir = join(fleetRoot, "data", id)
    const info = yield* lstatOrNull(dir)
    if (info === null) return null
    const realRoot = yield* attempt(fleetRoot, "resolve", () => realpath(fleetRoot))
    const real = yield* attempt(dir, "resolve", () => realpath(dir)).pipe(
      // A dangling symlink: nothing is there to touch, and nothing must be created through it.
      Effect.catchTag("FileError", () => Effect.succeed(null))
    )
    const refuse = (why: string) => UnsafePath.refusing(id, "touch", shown(id), why)
    if (real === null) return yield* refuse("it is a symlink to nowhere")
    if (!real.startsWith(realRoot + sep)) return yield* refuse(`it leads outside the fleet root (to ${real})`)
    const target = yield* attempt(real, "inspect", () => stat(real))
    if (!target.isDirectory()) return yield* refuse("it is not a folder")
    return real
  })

  /** memory.db, or null when the agent has none; a symlinked or odd memory.db is refused. */
  const memoryDb = Effect.fn("SqliteAgentData.memoryDb")(function* (id: string) {
    const dir = yield* agentDir(id)
    if (dir === null) return null
    const file = join(dir, "memory.db")
    const info = yield* lstatOrNull(file)
    if (info === null) return null
    if (!info.isFile()) {
      return yield* UnsafePath.refusing(
        id,
        "open",
        shown(id, "memory.db"),
        `it is ${info.isSymbolicLink() ? "a symlink" : "not a regular file"}`
      )
    }
    return file
  })

  const dataRoot = join(fleetRoot, "data")
  const withData = attempt(dataRoot, "read", () =>
    readdir(dataRoot).catch((error: unknown) => {
      const code = errorCode(error)
      if (code === "ENOENT" || code === "ENOTDIR") return []
      throw error
    })
  ).pipe(Effect.map((names) => new Set(names.filter(isAgentId))))

  const messages24h = Effect.fn("SqliteAgentData.messages24h")(function* (id: string, nowMs: number) {
    const file = yield* memoryDb(id)
    if (file === null) return null
    return yield* withDb(id, file, true, (db) => {
      if (!tables(db).has("messages")) return 0
      const row = db.prepare("SELECT count(*) AS n FROM messages WHERE created_at > ?").get(nowMs - DAY_MS)
      return Number(row?.["n"] ?? 0)
    })
  })

  const clearMemory = Effect.fn("SqliteAgentData.clearMemory")(function* (id: string) {
    const file = yield* memoryDb(id)
    if (file === null) return { messages_deleted: 0, facts_deleted: 0, database_existed: false } satisfies ClearedMemory
    return yield* withDb(id, file, false, (db): ClearedMemory => {
      // IMMEDIATE takes the write lock up front: both deletes happen, or (busy) neither starts.
      db.exec("BEGIN IMMEDIATE")
      try {
        const present = tables(db)
        const wipe = (table: string) =>
          present.has(table) ? Number(db.prepare(`DELETE FROM ${table}`).run().changes) : 0
        const cleared = { messages_deleted: wipe("messages"), facts_deleted: wipe("facts"), database_existed: true }
        db.exec("COMMIT")
        return cleared
      } catch (error) {
        if (db.isTransaction) db.exec("ROLLBACK")
        throw error
      }
    })
  })

  const deleteCache = Effect.fn("SqliteAgentData.deleteCache")(function* (id: string) {
    const names = ["crypto", "cache"]
    const dir = yield* agentDir(id)
    if (dir === null) return { paths_deleted: [], paths_missing: names.map((n) => shown(id, n)) } satisfies DeletedCache
    const removed = yield* Effect.forEach(names, (name) => removeEntry(id, dir, name))
    return {
      paths_deleted: names.filter((_, i) => removed[i]).map((n) => shown(id, n)),
      paths_missing: names.filter((_, i) => !removed[i]).map((n) => shown(id, n))
    } satisfies DeletedCache
  })

  return AgentData.of({ withData, messages24h, clearMemory, deleteCache })
}

/** AgentData for the fleet at `root` (its `data/` folder). */
export const layer = (root: string): Layer.Layer<AgentData> => Layer.succeed(AgentData, make(root))
