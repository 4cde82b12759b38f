import * as Schema from "effect/Schema"
import { SpawnRecord } from "./SpawnRecord.ts"

/**
 * `run/<id>.pid`: the pid **and** the start time the prober saw when the agent was started.
 * A pid alone can be recycled by an unrelated process; the pair cannot (within one boot).
 */
export const PidRecord = Schema.Struct({
  pid: Schema.Int,
  /** Prober-specific start time token (clock ticks since boot on /proc); null when the process died before it was seen. */
  startTime: Schema.NullOr(Schema.Number),
  /** /proc/sys/kernel/random/boot_id when recorded: a record from an earlier boot is stale whatever its pid. */
  bootId: Schema.String,
  /** Wall clock of the start, unix ms. */
  startedAt: Schema.Number,
  /** What it was started with (drift); absent in a record repaired at adoption, or written before drift existed. */
  spawned: Schema.optionalKey(SpawnRecord)
})
export type PidRecord = typeof PidRecord.Type

export const PidRecordJson = Schema.fromJsonString(PidRecord)
