import * as Schema from "effect/Schema"

/** Counted by the running launcher since it started; null without one. */
const Count = Schema.NullOr(Schema.Int)

/** One agent's log usage, as `ls --json`, `status`, `stats` and the API report it (logUsageOf.ts computes it). */
export const LogUsage = Schema.Struct({
  /** Bytes of its logs on disk: records (current + rotated) and any raw run/<id>.log. */
  bytes: Schema.Int,
  /** Bytes the agent wrote. */
  writtenBytes: Count,
  /** Output not stored because a write failed (disk full). */
  droppedBytes: Count,
  /** History deleted by the fleet budget (max_total, keep_free). */
  evictedBytes: Count,
  /** Lines longer than max_line, cut there. */
  cutLines: Count,
  /** Something to act on: a log over max_size with nothing to rotate it. */
  warning: Schema.NullOr(Schema.String)
}).annotate({ identifier: "LogUsage" })
export type LogUsage = typeof LogUsage.Type
