import * as Schema from "effect/Schema"

/** How a process ended, as far as anyone could see. Daemonless mode cannot see codes: both null. */
export const ExitInfo = Schema.Struct({
  code: Schema.NullOr(Schema.Int),
  signal: Schema.NullOr(Schema.String),
  /** unix ms */
  at: Schema.NullOr(Schema.Number)
})
export type ExitInfo = typeof ExitInfo.Type

/**
 * The closed set of agent states, each carrying the reason for it. The CLI, the API and the
 * tests all read these; the string in `ls --json` is `statusName(status)`.
 */
export const Status = Schema.TaggedUnion({
  Running: { pid: Schema.Int, instances: Schema.Int, startedAt: Schema.NullOr(Schema.Number) },
  Starting: { pid: Schema.NullOr(Schema.Int) },
  Stopping: { pid: Schema.NullOr(Schema.Int) },
  Stopped: {},
  Disabled: {},
  /** The recorded process is gone (or its pid now belongs to another process). */
  Exited: { pid: Schema.NullOr(Schema.Int), exit: ExitInfo, recycled: Schema.Boolean },
  Backoff: { attempt: Schema.Int, nextAttemptAt: Schema.Number, exit: ExitInfo },
  GaveUp: { failures: Schema.Int, windowMs: Schema.Number, at: Schema.Number, exit: ExitInfo },
  Invalid: { file: Schema.String, error: Schema.String }
})
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
  "invalid"
])
export type StatusName = typeof StatusName.Type

export const statusName = (s: Status): StatusName => {
  switch (s._tag) {
    case "Running":
      return "running"
    case "Starting":
      return "starting"
    case "Stopping":
      return "stopping"
    case "Stopped":
      return "stopped"
    case "Disabled":
      return "disabled"
    case "Exited":
      return "exited"
    case "Backoff":
      return "backoff"
    case "GaveUp":
      return "gave-up"
    case "Invalid":
      return "invalid"
  }
}

const describeExit = (e: ExitInfo): string =>
  e.signal !== null ? `killed by ${e.signal}` : e.code !== null ? `exit code ${e.code}` : "exit status unknown"

/** One readable sentence: why the agent is in this state. */
export const statusReason = (s: Status, now: number): string => {
  switch (s._tag) {
    case "Running":
      return s.instances > 1
        ? `running as pid ${s.pid}, but ${s.instances} instances are alive (stop or kill removes all of them)`
        : `running as pid ${s.pid}`
    case "Starting":
      return s.pid === null ? "starting" : `starting as pid ${s.pid}`
    case "Stopping":
      return s.pid === null ? "stopping" : `stopping pid ${s.pid}`
    case "Stopped":
      return "not running"
    case "Disabled":
      return "disabled in its config (enable it to start it with --all or the launcher)"
    case "Exited":
      return s.recycled
        ? `pid ${s.pid} from the pid record now belongs to another process: the agent is gone`
        : s.pid === null
          ? `exited (${describeExit(s.exit)})`
          : `pid ${s.pid} exited (${describeExit(s.exit)})`
    case "Backoff":
      return `crashed (${describeExit(s.exit)}); restart attempt ${s.attempt} in ${Math.max(
        0,
        Math.ceil((s.nextAttemptAt - now) / 1000)
      )}s`
    case "GaveUp":
      return `gave up after ${s.failures} failures within ${Math.round(s.windowMs / 1000)}s (last: ${describeExit(
        s.exit
      )}); start it to try again`
    case "Invalid":
      return s.error
  }
}
