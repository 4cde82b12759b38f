import type { Instance } from "./Identity.ts"
import type { ResolvedAgent } from "./Listing.ts"
import type { Snapshot } from "./ProcessTable.ts"
import type { SpawnRecord } from "./SpawnRecord.ts"
import { startedAtMs } from "./usage.ts"

/*
 * What a launcher does with each agent when it takes a fleet over: pure, over the agents
 * resolved against one snapshot, so every case is a row in a table test.
 */

export type BootAction =
  /** A live instance: supervise it without restarting it; any other instance is a duplicate. */
  | {
      readonly _tag: "Adopt"
      readonly id: string
      readonly instance: Instance
      readonly startedAt: number | null
      /** The pid record is missing or stale: write one for the adopted instance. */
      readonly repairRecord: boolean
      /** Further instances (started by hand while no launcher ran): stopped, the adopted one kept. */
      readonly duplicates: ReadonlyArray<Instance>
      /** What its record says it was started with (drift); undefined when the record is not its own. */
      readonly spawned: SpawnRecord | undefined
    }
  /** Enabled and not running: start it. */
  | { readonly _tag: "Start"; readonly id: string }
  /** It ran and died while no launcher watched, and its policy is `never`: show that, start nothing. */
  | { readonly _tag: "Exited"; readonly id: string; readonly pid: number | null; readonly recycled: boolean }
  | { readonly _tag: "Disabled"; readonly id: string }

export const planBoot = (resolved: ReadonlyArray<ResolvedAgent>, snapshot: Snapshot): ReadonlyArray<BootAction> =>
  resolved.map((a): BootAction => {
    const id = a.entry.spec.config.agent.id
    const { primary, instances, record, recycled, repair } = a.resolution
    if (primary !== null) {
      const startedAt = startedAtMs({
        startTime: primary.startTime,
        ticksPerSecond: snapshot.ticksPerSecond,
        bootTimeMs: snapshot.bootTimeMs
      })
      const duplicates = instances.filter((i) => i !== primary)
      const spawned = record === "ok" ? a.record?.spawned : undefined
      return { _tag: "Adopt", id, instance: primary, startedAt, repairRecord: repair, duplicates, spawned }
    }
    if (!a.entry.spec.config.agent.enabled) return { _tag: "Disabled", id }
    if (record === "stale" && a.entry.spec.config.run.restart === "never") {
      return { _tag: "Exited", id, pid: a.record?.pid ?? null, recycled }
    }
    return { _tag: "Start", id }
  })
