import type { Resolution } from "./Identity.ts"
import type { Snapshot } from "./ProcessTable.ts"
import type { Status } from "./Status.ts"
import { startedAtMs } from "./usage.ts"

/**
 * Daemonless status: nothing supervises the agent, so all we know is the pid record and the
 * process table. A record whose process is gone is `exited` (code unknown: it was not our child).
 */
export const deriveStatus = (
  enabled: boolean,
  r: Resolution,
  snapshot: Snapshot,
  recordedPid: number | null
): Status => {
  if (r.primary !== null) {
    return {
      _tag: "Running",
      pid: r.primary.pid,
      instances: r.instances.length,
      startedAt: startedAtMs({
        startTime: r.primary.startTime,
        ticksPerSecond: snapshot.ticksPerSecond,
        bootTimeMs: snapshot.bootTimeMs
      })
    }
  }
  if (r.record === "stale") {
    return { _tag: "Exited", pid: recordedPid, exit: { code: null, signal: null, at: null }, recycled: r.recycled }
  }
  return enabled ? { _tag: "Stopped" } : { _tag: "Disabled" }
}
