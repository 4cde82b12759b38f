import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { FileError } from "./Errors.ts"
import type { LogRecord, LogStream } from "./LogRecord.ts"

/** Which records of an agent's history: every field is a filter, null for none. */
export interface LogQuery {
  /** The last N records that pass the other filters. */
  readonly tail: number | null
  /** Epoch ms: records that arrived at or after it (raw lines, of unknown time, are then left out). */
  readonly since: number | null
  /** Epoch ms: records that arrived at or before it (raw lines are then left out). */
  readonly until: number | null
  readonly stream: LogStream | null
  /** Records with a seq greater than this (an SSE resume); raw lines, which have none, are left out. */
  readonly afterSeq: number | null
}

export const everything: LogQuery = { tail: null, since: null, until: null, stream: null, afterSeq: null }

export interface LogFile {
  readonly path: string
  readonly bytes: number
  readonly compressed: boolean
  /** `current.log`, a rotated `<first seq>.log[.gz]`, or the raw `run/<id>.log`. */
  readonly kind: "current" | "rotated" | "raw"
}

/**
 * An agent's output history as records (LogLayout.ts): its rotated files, current.log and the raw
 * run/<id>.log read as one sequence, oldest first. `x` records are never shown; a malformed line
 * of a record file is shown as raw text, never dropped.
 */
export class AgentLogs extends Context.Service<
  AgentLogs,
  {
    /** The records the query selects, oldest first; an in-flight partial line only as its stream's newest. */
    readonly read: (id: string, query: LogQuery) => Effect.Effect<ReadonlyArray<LogRecord>, FileError>
    /**
     * What `read` gives, then every new record, forever: none lost or repeated between the two or
     * across rotations. Partial lines are left out: the completed line comes as its own record.
     */
    readonly follow: (id: string, query: LogQuery) => Stream.Stream<LogRecord, FileError>
    /** The agent's log files with their sizes (a readdir and stats, nothing read). */
    readonly files: (id: string) => Effect.Effect<ReadonlyArray<LogFile>, FileError>
  }
>()("@agentctl/core/AgentLogs") {}
