import * as Schema from "effect/Schema"
import { AgentId } from "./AgentId.ts"
import { Drift } from "./SpawnRecord.ts"

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

/** What `apply` does to one agent, and why. */
export const ApplyAction = Schema.Literals(["start", "stop", "restart", "none"])
export type ApplyAction = typeof ApplyAction.Type

export const ApplyOutcome = Schema.Struct({
  id: Schema.String,
  action: ApplyAction,
  /** Why that action: `drifted: env: ~A (value changed)`, `disabled`, `config file removed`, `up to date`. */
  reason: Schema.String,
  /** `planned` for a dry run; `failed` with `error`; `done` otherwise (`none`: nothing was done). */
  result: Schema.Literals(["planned", "done", "failed"]),
  /** The pid that runs afterwards (null when none does). */
  pid: Schema.NullOr(Schema.Int),
  error: Schema.NullOr(Schema.String)
}).annotate({ identifier: "ApplyOutcome" })
export type ApplyOutcome = typeof ApplyOutcome.Type

export const ApplyOptions = Schema.Struct({
  /** Only these agents (all when absent). */
  ids: Schema.optionalKey(Schema.Array(AgentId)),
  dry_run: Schema.optionalKey(Schema.Boolean),
  /** Restarts at most this many agents at once. */
  parallel: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 256 })))
}).annotate({ identifier: "ApplyOptions" })
export type ApplyOptions = typeof ApplyOptions.Type

/** `agentctl diff` / `GET /agents/{id}/diff`: what a restart of a running agent would change. */
export const AgentDiff = Schema.Struct({
  id: Schema.String,
  /** A live instance runs (a stopped agent has nothing to differ from). */
  running: Schema.Boolean,
  drift: Drift,
  /** The drift in one line, as `ls` shows it; null without drift. */
  summary: Schema.NullOr(Schema.String),
  /** One line per change, non-secret values shown. */
  lines: Schema.Array(Schema.String)
}).annotate({ identifier: "AgentDiff" })
export type AgentDiff = typeof AgentDiff.Type
