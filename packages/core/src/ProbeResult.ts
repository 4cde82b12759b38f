import * as Schema from "effect/Schema"
import { HealthName } from "./Health.ts"
import { ProbeKind } from "./HealthSpec.ts"

/**
 * One run of one probe. `error` says the probe itself could not run (its binary is missing, its
 * cwd is gone): that is shown as an error, and is not counted as the agent failing it.
 */
export const ProbeResult = Schema.Struct({
  ok: Schema.Boolean,
  /** unix ms the probe started */
  at: Schema.Finite,
  /** how long it took */
  ms: Schema.Finite,
  /** What it said, trimmed: the exit code and output, the HTTP status, the refused connection. */
  output: Schema.String,
  error: Schema.NullOr(Schema.String)
}).annotate({ identifier: "ProbeResult" })
export type ProbeResult = typeof ProbeResult.Type

/** One probe of a running agent as `status` shows it. */
export const ProbeStatus = Schema.Struct({
  kind: ProbeKind,
  /** the check in one line: `exec test -f alive`, `http http://127.0.0.1:8080/healthz` */
  check: Schema.String,
  /** `pending`: not yet judged (initial delay, or held by the startup probe) */
  state: Schema.Literals(["pending", "passing", "failing", "error"]),
  /** failures (or successes) in a row, against the probe's thresholds */
  failures: Schema.Int,
  successes: Schema.Int,
  last: Schema.NullOr(ProbeResult)
}).annotate({ identifier: "ProbeStatus" })
export type ProbeStatus = typeof ProbeStatus.Type

/** The health of one running instance: its name and each probe's standing. */
export const HealthStatus = Schema.Struct({
  health: HealthName,
  probes: Schema.Array(ProbeStatus)
}).annotate({ identifier: "HealthStatus" })
export type HealthStatus = typeof HealthStatus.Type
