import type { HealthName } from "./Health.ts"
import type { ProbeStatus } from "./ProbeResult.ts"
import type { AgentSpec } from "./AgentConfig.ts"
import type { AgentRow, Supervisor } from "./AgentRow.ts"
import type { ConfigEntry } from "./ConfigFile.ts"
import type { LogUsage } from "./LogUsage.ts"
import { deriveStatus } from "./deriveStatus.ts"
import { indexSnapshot, resolveAgent, type Resolution, type SnapshotIndex } from "./Identity.ts"
import type { PidRecord } from "./PidRecord.ts"
import type { Snapshot } from "./ProcessTable.ts"
import { driftNow, type StartNow } from "./spawnDrift.ts"
import type { DriftChange } from "./SpawnRecord.ts"
import type { Status } from "./Status.ts"
import { statusName, statusReason } from "./statusText.ts"

/** A pid record as read: absent, present, or unreadable (reported on the row, never fatal for the list). */
export type RecordRead = PidRecord | null | { readonly unreadable: string }

export const isRecord = (r: RecordRead): r is PidRecord => r !== null && !("unreadable" in r)

export const invalidRow = (
  e: Extract<ConfigEntry, { _tag: "Invalid" }>,
  supervisor: Supervisor,
  now: number
): AgentRow => {
  const detail: Status = { _tag: "Invalid", file: e.file, error: e.error }
  return {
    id: e.id,
    name: "",
    enabled: false,
    status: "invalid",
    reason: statusReason(detail, now),
    pid: null,
    instances: 0,
    uptime: null,
    restarts: 0,
    file: e.file,
    error: e.error,
    supervisor,
    detail,
    logs: null,
    health: null,
    probes: [],
    drift: null
  }
}

export const rowFromStatus = (
  spec: AgentSpec,
  detail: Status,
  extra: {
    readonly restarts: number
    readonly error: string | null
    readonly supervisor: Supervisor
    readonly now: number
    readonly logs: LogUsage | null
    readonly health: HealthName | null
    readonly probes: ReadonlyArray<ProbeStatus>
    /** What a restart would change; null unless it runs (the caller computes it: spawnDrift.ts). */
    readonly drift: ReadonlyArray<DriftChange> | null
  }
): AgentRow => {
  const { config, file } = spec
  const running = detail._tag === "Running"
  return {
    id: config.agent.id,
    name: config.agent.name,
    enabled: config.agent.enabled,
    status: statusName(detail),
    reason: statusReason(detail, extra.now),
    pid: running ? detail.pid : detail._tag === "Stopping" || detail._tag === "Starting" ? detail.pid : null,
    instances: running ? detail.instances : 0,
    uptime:
      running && detail.startedAt !== null ? Math.max(0, Math.floor((extra.now - detail.startedAt) / 1000)) : null,
    restarts: extra.restarts,
    file,
    error: extra.error,
    supervisor: extra.supervisor,
    detail,
    logs: extra.logs,
    health: extra.health,
    probes: extra.probes,
    drift: extra.drift
  }
}

export interface ResolvedAgent {
  readonly entry: Extract<ConfigEntry, { _tag: "Valid" }>
  readonly record: PidRecord | null
  readonly resolution: Resolution
  readonly status: Status
  readonly recordError: string | null
}

/** Resolve every valid agent against one snapshot. */
export const resolveAll = (
  root: string,
  entries: ReadonlyArray<ConfigEntry>,
  records: ReadonlyMap<string, RecordRead>,
  snapshot: Snapshot,
  index: SnapshotIndex = indexSnapshot(snapshot)
): ReadonlyArray<ResolvedAgent> =>
  entries.flatMap((entry) => {
    if (entry._tag !== "Valid") return []
    const id = entry.spec.config.agent.id
    const read = records.get(id) ?? null
    const record = isRecord(read) ? read : null
    const resolution = resolveAgent(index, root, id, record)
    const status = deriveStatus(entry.spec.config.agent.enabled, resolution, snapshot, record?.pid ?? null)
    return [
      { entry, record, resolution, status, recordError: read !== null && !isRecord(read) ? read.unreadable : null }
    ]
  })

/** Drift of what runs of this agent: its primary instance must be the one its record names. */
const driftOfRunning = (r: ResolvedAgent, start: StartNow | undefined): ReadonlyArray<DriftChange> | null => {
  if (start === undefined || r.record === null || r.resolution.record !== "ok") return null
  return driftNow(r.record.spawned, start)
}

/** Agents whose drift a listing needs: those whose record says what they were started with. */
export const recordedSpawns = (records: ReadonlyMap<string, RecordRead>): ReadonlyArray<string> =>
  [...records].flatMap(([id, r]) => (isRecord(r) && r.spawned !== undefined ? [id] : []))

/**
 * `ls` for a daemonless fleet: one snapshot, O(agents + processes). `starts`: what a start of
 * each recorded agent would run now (FleetDrift.startsNow), for the drift of those running.
 */
export const daemonlessRows = (
  root: string,
  entries: ReadonlyArray<ConfigEntry>,
  records: ReadonlyMap<string, RecordRead>,
  snapshot: Snapshot,
  now: number,
  logs: ReadonlyMap<string, LogUsage>,
  starts: ReadonlyMap<string, StartNow>
): ReadonlyArray<AgentRow> => {
  const resolved = new Map(resolveAll(root, entries, records, snapshot).map((r) => [r.entry, r]))
  return entries.map((entry) => {
    if (entry._tag === "Invalid") return invalidRow(entry, "daemonless", now)
    const r = resolved.get(entry)!
    return rowFromStatus(entry.spec, r.status, {
      restarts: 0,
      error: r.recordError,
      supervisor: "daemonless",
      now,
      logs: logs.get(entry.spec.config.agent.id) ?? null,
      health: null,
      probes: [],
      drift: driftOfRunning(r, starts.get(entry.spec.config.agent.id))
    })
  })
}
