import * as Schema from "effect/Schema"
import { HealthName } from "./Health.ts"
import { LogUsage } from "./LogUsage.ts"
import { ProbeStatus } from "./ProbeResult.ts"
import { Drift } from "./SpawnRecord.ts"
import { Status, StatusName } from "./Status.ts"

export const Supervisor = Schema.Literals(["daemonless", "launcher"]).annotate({ identifier: "Supervisor" })
export type Supervisor = typeof Supervisor.Type

/**
 * One line of `agentctl ls` / one element of `ls --json` and `GET /agents`. `status` is the
 * closed set of StatusName; `detail` is the full tagged Status with the reason's data.
 */
export const AgentRow = Schema.Struct({
  id: Schema.NullOr(Schema.String),
  name: Schema.String,
  enabled: Schema.Boolean,
  status: StatusName,
  reason: Schema.String,
  pid: Schema.NullOr(Schema.Int),
  instances: Schema.Int,
  /** seconds */
  uptime: Schema.NullOr(Schema.Finite),
  restarts: Schema.Int,
  file: Schema.String,
  error: Schema.NullOr(Schema.String),
  supervisor: Supervisor,
  detail: Status,
  /** null for an invalid config. */
  logs: Schema.NullOr(LogUsage),
  /**
   * What the launcher's probes say of the running instance (Health.ts); null for an agent without
   * probes, one that does not run, or without a launcher (nothing runs its probes: `agentctl check`).
   */
  health: Schema.NullOr(HealthName),
  /** Each probe's standing and last result; empty when `health` is null. */
  probes: Schema.Array(ProbeStatus),
  /**
   * null when the running instance runs what its files say now (or nothing runs); else what a
   * restart would change (`agentctl diff`, `agentctl apply`).
   */
  drift: Drift
}).annotate({ identifier: "AgentRow" })
export type AgentRow = typeof AgentRow.Type
