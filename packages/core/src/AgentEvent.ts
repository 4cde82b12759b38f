import * as Schema from "effect/Schema"
import { HealthName } from "./Health.ts"
import { Status, StatusName } from "./Status.ts"

/**
 * One state change of one agent, as the launcher saw it. Written as a JSON line to
 * run/launcher.log and streamed by the API's /events. `seq` increases by one per event
 * within a launcher's life, so a client can tell when it missed some.
 */
export const AgentEvent = Schema.Struct({
  seq: Schema.Int,
  /** unix ms */
  at: Schema.Finite,
  id: Schema.String,
  status: StatusName,
  detail: Status,
  /** The instance's health after the change (Health.ts); null without probes or without an instance. */
  health: Schema.NullOr(HealthName),
  message: Schema.String
}).annotate({ identifier: "AgentEvent" })
export type AgentEvent = typeof AgentEvent.Type
