import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { Control } from "./Control.ts"
import type { FileError, UsageError } from "./Errors.ts"
import { printable } from "./printable.ts"
import type { StatusName } from "./Status.ts"

/**
 * An agent's own data in `data/<id>/`: `memory.db` (SQLite, tables `messages` and `facts`, each
 * with `created_at INTEGER` in unix ms), `crypto/` and `cache/`. The service touches only those
 * paths of a validated id; the programs below add the stop / work / start-again dance.
 */

/** The database is locked by someone else (the agent, a sqlite shell) for longer than the busy timeout. */
export class DatabaseBusy extends Schema.TaggedError<DatabaseBusy>()(
  "DatabaseBusy",
  {
    id: Schema.String,
    file: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static holding(id: string, file: string) {
    return new DatabaseBusy({
      id,
      file,
      message: `${printable(file)} is locked by another process; try again when it lets go`
    })
  }
}

/** A path under `data/<id>/` leads out of it (a symlinked agent folder, a symlinked memory.db). */
export class UnsafePath extends Schema.TaggedError<UnsafePath>()(
  "UnsafePath",
  {
    id: Schema.String,
    path: Schema.String,
    /** What we would have done: "touch", "open". */
    action: Schema.String,
    /** Why not: "it is a symlink to nowhere", "it leads outside the fleet root (to /etc)", ... */
    reason: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static refusing(id: string, action: string, path: string, reason: string) {
    return new UnsafePath({
      id,
      path,
      action,
      reason,
      message: `refusing to ${action} ${printable(path)}: ${printable(reason)}`
    })
  }
}

export type AgentDataError = DatabaseBusy | UnsafePath | FileError | UsageError

export const ClearedMemory = Schema.Struct({
  messages_deleted: Schema.Int,
  facts_deleted: Schema.Int,
  /** false: there was no memory.db (not an error; both counts are 0). */
  database_existed: Schema.Boolean
})
export type ClearedMemory = typeof ClearedMemory.Type

export const DeletedCache = Schema.Struct({
  /** Relative to the fleet root, e.g. `data/bot/cache`; only what existed. */
  paths_deleted: Schema.Array(Schema.String),
  /** What was looked for and not there. */
  paths_missing: Schema.Array(Schema.String)
})
export type DeletedCache = typeof DeletedCache.Type

export class AgentData extends Context.Service<
  AgentData,
  {
    /**
     * The ids with something under `data/` (a folder, or a link for messages24h to judge): one
     * directory read, so a listing looks up only those agents instead of each one's paths.
     */
    readonly withData: Effect.Effect<ReadonlySet<string>, FileError>
    /** Messages with `created_at` in the 24 h before `nowMs`; null when the agent has no memory.db. */
    readonly messages24h: (id: string, nowMs: number) => Effect.Effect<number | null, AgentDataError>
    /** Every row of `messages` and `facts`, deleted in one transaction. */
    readonly clearMemory: (id: string) => Effect.Effect<ClearedMemory, AgentDataError>
    /** `crypto/` and `cache/`; a symlink is removed as a link, never followed. */
    readonly deleteCache: (id: string) => Effect.Effect<DeletedCache, AgentDataError>
  }
>()("@agentctl/core/AgentData") {}

/** An agent in these states runs or is about to (backoff: the launcher will restart it): it runs again afterwards. */
const runningStates: ReadonlySet<StatusName> = new Set(["running", "starting", "backoff"])
/** ...and one still shutting down must have finished before its files are touched, but stays stopped. */
const mustStop: ReadonlySet<StatusName> = new Set([...runningStates, "stopping"])

export interface Paused<A> {
  readonly result: A
  /** The agent was running, was stopped for the work, and was started again. */
  readonly restarted: boolean
  /** It was running but could not be started again (the work itself succeeded). */
  readonly restartError: string | null
}

/**
 * Run `work` with the agent stopped: stop it through Control if it was running, do the work, then
 * start it again — also when the work failed, so a failed clear never leaves an agent down.
 */
export const whileStopped = Effect.fn("AgentData.whileStopped")(function* <A, E, R>(
  id: string,
  work: Effect.Effect<A, E, R>
) {
  const control = yield* Control
  const row = yield* control.status(id)
  const wasRunning = runningStates.has(row.status)
  const targets = { _tag: "Ids", ids: [id] } as const
  if (mustStop.has(row.status)) yield* control.stop(targets)
  const exit = yield* Effect.exit(work)
  if (!wasRunning) {
    return yield* Effect.map(exit, (result): Paused<A> => ({ result, restarted: false, restartError: null }))
  }
  const [outcome] = yield* control.start(targets)
  // A start outcome has an error exactly when it failed.
  const restartError = outcome === undefined ? `${id} was not started again` : outcome.error
  if (Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause)
  return { result: exit.value, restarted: restartError === null, restartError } satisfies Paused<A>
})

export const clearMemory = Effect.fn("AgentData.clearMemory")(function* (id: string) {
  const data = yield* AgentData
  return yield* whileStopped(id, data.clearMemory(id))
})

export const deleteCache = Effect.fn("AgentData.deleteCache")(function* (id: string) {
  const data = yield* AgentData
  return yield* whileStopped(id, data.deleteCache(id))
})
