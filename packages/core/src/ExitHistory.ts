import * as Schema from "effect/Schema"
import { isFailure } from "./restartPolicy.ts"
import type { ExitInfo } from "./Status.ts"

/*
 * Every agent's last exits and its restart count, kept in `run/history/<id>.json` across
 * launcher restarts (RunDir.readHistory/writeHistory); `agentctl history`, `status --json` and
 * `GET /agents/{id}/history` show them.
 */

/**
 * Why an instance ended:
 * - `exited`: code 0, and nobody asked it to;
 * - `crashed`: a non-zero code, a signal nobody sent, or an end nobody could see (an adopted
 *   instance, not our child: as the restart policy counts it, a failure);
 * - `unhealthy` / `memory`: the launcher restarted it for a failing liveness or startup probe /
 *   for staying over `run.max_memory`;
 * - `stopped` / `killed`: a user's stop / kill;
 * - `oom`: SIGKILLed by the kernel's OOM killer, claimed only when the kernel's own count of OOM
 *   kills in the instance's cgroup grew during its life (OomKills.ts); never guessed from the
 *   signal alone.
 */
export const ExitReason = Schema.Literals([
  "crashed",
  "exited",
  "unhealthy",
  "memory",
  "stopped",
  "killed",
  "oom"
]).annotate({ identifier: "ExitReason" })
export type ExitReason = typeof ExitReason.Type

export const ExitRecord = Schema.Struct({
  /** unix ms */
  at: Schema.Finite,
  pid: Schema.NullOr(Schema.Int),
  code: Schema.NullOr(Schema.Int),
  signal: Schema.NullOr(Schema.String),
  reason: ExitReason,
  /** Seconds it ran; null when its start is unknown (adopted without a readable start time). */
  uptime: Schema.NullOr(Schema.Finite)
}).annotate({ identifier: "ExitRecord" })
export type ExitRecord = typeof ExitRecord.Type

export const AgentHistory = Schema.Struct({
  /** The count `ls` shows, carried over to the next launcher. */
  restarts: Schema.Int,
  /** Newest first. */
  exits: Schema.Array(ExitRecord)
}).annotate({ identifier: "AgentHistory" })
export type AgentHistory = typeof AgentHistory.Type

/** The file's text: the history as JSON. */
export const AgentHistoryJson = Schema.fromJsonString(AgentHistory)

export const emptyHistory: AgentHistory = { restarts: 0, exits: [] }

/**
 * How many exits a file keeps. Enough to see a crash loop and what came before it; small enough
 * that the read-modify-write on every exit stays one small file (~150 bytes an exit).
 */
export const maxExits = 50

/** The `operation` of the FileError a file that is not an exit history fails with (RunDir.readHistory). */
export const parseHistory = "parse exit history"

/** Why the launcher itself ended an instance: the health code says so before it stops it. */
export type LauncherStop = "unhealthy" | "memory"

/** Who asked for the end: a user (stop, kill), the launcher (LauncherStop), or nobody (null). */
export type ExitRequest = "stop" | "kill" | LauncherStop | null

export interface ExitFacts {
  readonly exit: ExitInfo
  readonly requested: ExitRequest
  /** The kernel's own count of OOM kills grew during the instance's life (false when it cannot be read). */
  readonly oomKilled: boolean
}

/** The reason recorded for an exit: whoever asked for it first, then what the kernel proves, then the code. */
export const exitReason = ({ exit, requested, oomKilled }: ExitFacts): ExitReason => {
  switch (requested) {
    case "stop":
      return "stopped"
    case "kill":
      return "killed"
    case "unhealthy":
    case "memory":
      return requested
    case null:
      // The OOM killer sends SIGKILL: a count that grew beside any other end is someone else's.
      if (oomKilled && exit.signal === "SIGKILL") return "oom"
      return isFailure(exit) ? "crashed" : "exited"
  }
}

/** `history` with `record` added (newest first, the last `maxExits` kept) and the restart count. */
export const withExit = (history: AgentHistory, record: ExitRecord, restarts: number): AgentHistory => ({
  restarts,
  exits: [record, ...history.exits].slice(0, maxExits)
})
