import type { Resolution } from "./Identity.ts"
import type { Snapshot } from "./ProcessTable.ts"
import type { Status } from "./Status.ts"

export const startedAtMs = (snapshot: Snapshot, startTime: number): number | null =>
  snapshot.ticksPerSecond > 0 && snapshot.bootTimeMs > 0
    ? Math.round(snapshot.bootTimeMs + (startTime * 1000) / snapshot.ticksPerSecond)
    : null

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
      startedAt: startedAtMs(snapshot, r.primary.startTime)
    }
  }
  if (r.record === "stale") {
    return { _tag: "Exited", pid: recordedPid, exit: { code: null, signal: null, at: null }, recycled: r.recycled }
  }
  return enabled ? { _tag: "Stopped" } : { _tag: "Disabled" }
}
