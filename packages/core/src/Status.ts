import * as Schema from "effect/Schema"

/** How a process ended, as far as anyone could see. Daemonless mode cannot see codes: both null. */
export const ExitInfo = Schema.Struct({
  code: Schema.NullOr(Schema.Int),
  signal: Schema.NullOr(Schema.String),
  /** unix ms */
  at: Schema.NullOr(Schema.Finite)
}).annotate({ identifier: "ExitInfo" })
export type ExitInfo = typeof ExitInfo.Type

/**
 * The closed set of agent states, each carrying the reason for it. The CLI, the API and the
 * tests all read these; the string in `ls --json` is `statusName(status)`.
 */
export const Status = Schema.TaggedUnion({
  Running: { pid: Schema.Int, instances: Schema.Int, startedAt: Schema.NullOr(Schema.Finite) },
  Starting: { pid: Schema.NullOr(Schema.Int) },
  Stopping: { pid: Schema.NullOr(Schema.Int) },
  Stopped: {},
  Disabled: {},
  /** The recorded process is gone (or its pid now belongs to another process). */
  Exited: { pid: Schema.NullOr(Schema.Int), exit: ExitInfo, recycled: Schema.Boolean },
  Backoff: { attempt: Schema.Int, nextAttemptAt: Schema.Finite, exit: ExitInfo },
  /** `retryAt`: when the cool-down (`restart.cooldown`) tries again; null with `cooldown: never`. */
  GaveUp: {
    failures: Schema.Int,
    windowMs: Schema.Finite,
    at: Schema.Finite,
    exit: ExitInfo,
    retryAt: Schema.NullOr(Schema.Finite)
  },
  /**
   * The launcher cannot tell whether the agent runs: reading the process table keeps failing, or
   * the fiber that supervised it ended on an error. Never a reason to start a second copy.
   */
  Unknown: { pid: Schema.NullOr(Schema.Int), error: Schema.String },
  Invalid: { file: Schema.String, error: Schema.String }
}).annotate({ identifier: "Status" })
export type Status = typeof Status.Type

export const StatusName = Schema.Literals([
  "running",
  "starting",
  "stopping",
  "stopped",
  "disabled",
  "exited",
  "backoff",
  "gave-up",
  "unknown",
  "invalid"
]).annotate({ identifier: "StatusName" })
export type StatusName = typeof StatusName.Type
