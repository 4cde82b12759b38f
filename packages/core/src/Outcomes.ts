import * as Schema from "effect/Schema"

/** What a control action did, per agent. "Nothing to do" is an outcome, not an error. */
export const StartOutcome = Schema.Struct({
  id: Schema.String,
  result: Schema.Literals(["started", "already-running", "failed"]),
  /** null only when it failed */
  pid: Schema.NullOr(Schema.Int),
  /** why it failed (command not found, bad cwd, ...) */
  error: Schema.NullOr(Schema.String)
}).annotate({ identifier: "StartOutcome" })
export type StartOutcome = typeof StartOutcome.Type

export const StopOutcome = Schema.Struct({
  id: Schema.String,
  /** `restart-cancelled`: nothing ran, but the launcher was waiting to restart it (backoff) and no longer is. */
  result: Schema.Literals(["stopped", "not-running", "restart-cancelled"]),
  /** Every process that was signalled. */
  pids: Schema.Array(Schema.Int),
  /** SIGKILL was needed after the stop timeout. */
  escalated: Schema.Boolean,
  /** A pid record pointing at a dead (or recycled) pid was removed. */
  removedStaleRecord: Schema.Boolean
}).annotate({ identifier: "StopOutcome" })
export type StopOutcome = typeof StopOutcome.Type

export const KillOutcome = Schema.Struct({
  id: Schema.String,
  result: Schema.Literals(["killed", "not-running"]),
  pids: Schema.Array(Schema.Int)
}).annotate({ identifier: "KillOutcome" })
export type KillOutcome = typeof KillOutcome.Type

export const RestartOutcome = Schema.Struct({ stop: StopOutcome, start: StartOutcome }).annotate({
  identifier: "RestartOutcome"
})
export type RestartOutcome = typeof RestartOutcome.Type

export const ToggleOutcome = Schema.Struct({
  id: Schema.String,
  enabled: Schema.Boolean,
  changed: Schema.Boolean,
  file: Schema.String
}).annotate({ identifier: "ToggleOutcome" })
export type ToggleOutcome = typeof ToggleOutcome.Type

/** What `reload` changed after re-reading every config. */
export const ReloadOutcome = Schema.Struct({
  started: Schema.Array(Schema.String),
  stopped: Schema.Array(Schema.String),
  restarted: Schema.Array(Schema.String),
  unchanged: Schema.Array(Schema.String),
  /** Config files that failed to parse or validate (their agents were left as they were). */
  invalid: Schema.Array(Schema.Struct({ file: Schema.String, error: Schema.String }))
}).annotate({ identifier: "ReloadOutcome" })
export type ReloadOutcome = typeof ReloadOutcome.Type
