import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { FileError } from "./Errors.ts"
import type { AgentHistory } from "./ExitHistory.ts"
import type { LogUsage } from "./LogUsage.ts"
import type { PidRecord } from "./PidRecord.ts"

/** One agent's log usage asked for: `pid` is its recorded pid, to tell whether anyone drains its output. */
export interface LogUsageQuery {
  readonly id: string
  readonly maxSize: number
  readonly pid: number | null
}

/**
 * `run/` under the fleet root: pid records, exit histories and logs. Writes are atomic (temp
 * file + rename), so a crash mid-write never leaves half a record.
 */
export class RunDir extends Context.Service<
  RunDir,
  {
    readonly dir: string
    readonly logFile: (id: string) => string
    readonly readPidRecord: (id: string) => Effect.Effect<PidRecord | null, FileError>
    readonly writePidRecord: (id: string, record: PidRecord) => Effect.Effect<void, FileError>
    readonly removePidRecord: (id: string) => Effect.Effect<void, FileError>
    /**
     * Every agent id with a pid record, sorted: `apply` without a launcher finds in them the
     * agents whose config was removed while they run (nothing else names them any more).
     */
    readonly recordedIds: Effect.Effect<ReadonlyArray<string>, FileError>
    /**
     * `run/history/<id>.json` (ExitHistory.ts): the empty history when there is none; a file that
     * is not one fails with a FileError naming it, `operation` ExitHistory's `parseHistory`.
     */
    readonly readHistory: (id: string) => Effect.Effect<AgentHistory, FileError>
    /** Replace it whole; one writer per agent at a time (recordExits.ts says who). */
    readonly writeHistory: (id: string, history: AgentHistory) => Effect.Effect<void, FileError>
    /** Size in bytes, 0 when the log does not exist. */
    readonly logSize: (file: string) => Effect.Effect<number, FileError>
    /** The last `lines` lines; reads backwards from the end, so the cost grows with `lines`, not the file. */
    readonly tail: (file: string, lines: number) => Effect.Effect<ReadonlyArray<string>, FileError>
    /** Lines appended after the call, forever (survives truncation and rotation by reopening). */
    readonly follow: (file: string) => Stream.Stream<string, FileError>
    /**
     * Log usage per agent (each with the max_size its warning is judged by). Cheap: without a
     * launcher, one summary file and one stat per agent, never a walk of every rotated file.
     */
    readonly logUsage: (agents: ReadonlyArray<LogUsageQuery>) => Effect.Effect<ReadonlyMap<string, LogUsage>, FileError>
    /** The last `lines` lines, then every new one: no line lost or repeated between the two (`logs -f`). */
    readonly tailFollow: (file: string, lines: number) => Stream.Stream<string, FileError>
  }
>()("@agentctl/core/RunDir") {}
