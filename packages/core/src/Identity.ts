import type { PidRecord } from "./PidRecord.ts"
import { isAlive, type ProcessInfo, type Snapshot } from "./ProcessTable.ts"

/**
 * Which processes belong to an agent. Only evidence counts, never a name:
 * - the pid record's pid **and** start time (same boot), or
 * - the marker agentctl put into the environment of every agent it started.
 * agentctl starts each agent in its own session, so an instance is a session: `npx → node`,
 * `sh -c → prog` and other wrappers are one instance however many processes they are.
 */

export interface Instance {
  /** Session leader: the process agentctl started. */
  readonly pid: number
  readonly startTime: number
  /** Every live process of the session, leader first. */
  readonly pids: ReadonlyArray<number>
}

export type RecordState =
  | "none" // no pid record
  | "ok" // the record names a live instance
  | "stale" // the record names a process that is gone (or a recycled pid)

export interface Resolution {
  readonly instances: ReadonlyArray<Instance>
  /** The recorded instance when alive, else the oldest instance. */
  readonly primary: Instance | null
  readonly record: RecordState
  /** The record's pid is alive but its start time differs: someone else owns that pid now. */
  readonly recycled: boolean
  /** Write a fresh record for `primary`: the record is missing or stale while the agent runs. */
  readonly repair: boolean
}

/** Per-snapshot index so resolving N agents costs O(N + processes), not O(N × processes). */
export interface SnapshotIndex {
  readonly snapshot: Snapshot
  readonly members: ReadonlyMap<number, ReadonlyArray<ProcessInfo>>
  readonly marked: ReadonlyMap<string, ReadonlyArray<ProcessInfo>>
}

const markKey = (fleet: string, agent: string) => `${fleet}\u0000${agent}`

export const indexSnapshot = (snapshot: Snapshot): SnapshotIndex => {
  const members = new Map<number, Array<ProcessInfo>>()
  const marked = new Map<string, Array<ProcessInfo>>()
  for (const p of snapshot.processes.values()) {
    if (!isAlive(p)) continue
    const list = members.get(p.sid)
    if (list === undefined) members.set(p.sid, [p])
    else list.push(p)
    if (p.marker !== null && p.sid === p.pid) {
      const key = markKey(p.marker.fleet, p.marker.agent)
      const same = marked.get(key)
      if (same === undefined) marked.set(key, [p])
      else same.push(p)
    }
  }
  return { snapshot, members, marked }
}

/** Members of a session that are not older than its leader (a reused sid number is not ours). */
const instanceOf = (index: SnapshotIndex, leader: ProcessInfo): Instance => {
  const rest = (index.members.get(leader.sid) ?? []).filter(
    (p) => p.pid !== leader.pid && p.startTime >= leader.startTime
  )
  return { pid: leader.pid, startTime: leader.startTime, pids: [leader.pid, ...rest.map((p) => p.pid)] }
}

/**
 * A marked leader whose ancestor is another marked process of the same agent was started by the
 * agent itself (it called setsid for a worker): part of that instance, not a second one.
 */
const hasMarkedAncestor = (index: SnapshotIndex, p: ProcessInfo, ids: ReadonlySet<number>): boolean => {
  let ppid = p.ppid
  for (let hops = 0; hops < 64 && ppid > 1; hops++) {
    if (ids.has(ppid)) return true
    const parent = index.snapshot.processes.get(ppid)
    if (parent === undefined) return false
    ppid = parent.ppid
  }
  return false
}

export const recordMatches = (record: PidRecord, p: ProcessInfo | undefined, bootId: string): p is ProcessInfo =>
  isAlive(p) &&
  record.startTime !== null &&
  p.startTime === record.startTime &&
  (record.bootId === "" || bootId === "" || record.bootId === bootId)

export const resolveAgent = (index: SnapshotIndex, fleet: string, id: string, record: PidRecord | null): Resolution => {
  const { snapshot } = index
  const recordedProc = record === null ? undefined : snapshot.processes.get(record.pid)
  const recordOk = record !== null && recordMatches(record, recordedProc, snapshot.bootId)
  const leaders = new Map<number, ProcessInfo>()
  if (recordOk) leaders.set(recordedProc.sid, snapshot.processes.get(recordedProc.sid) ?? recordedProc)
  const marked = index.marked.get(markKey(fleet, id)) ?? []
  const markedPids = new Set(marked.map((p) => p.pid))
  for (const p of marked) {
    if (!leaders.has(p.sid) && !hasMarkedAncestor(index, p, markedPids)) leaders.set(p.sid, p)
  }
  const instances = [...leaders.values()].toSorted((a, b) => a.startTime - b.startTime).map((l) => instanceOf(index, l))
  const primary = recordOk ? (instances.find((i) => i.pids.includes(record.pid)) ?? null) : (instances[0] ?? null)
  const recycled = record !== null && !recordOk && isAlive(recordedProc) && !markedPids.has(record.pid)
  const state: RecordState = record === null ? "none" : recordOk ? "ok" : "stale"
  return { instances, primary, record: state, recycled, repair: state !== "ok" && primary !== null }
}

/**
 * The live processes of an instance now. Its session id is the leader's pid, and Linux does not
 * hand out a pid that is still some session's id: so if that pid now belongs to a process with
 * another start time, every process of our session is gone and the number is someone else's.
 * Otherwise the session's members not older than the leader are ours.
 */
export const liveMembers = (index: SnapshotIndex, instance: Instance): ReadonlyArray<ProcessInfo> => {
  const leader = index.snapshot.processes.get(instance.pid)
  if (leader !== undefined && leader.startTime !== instance.startTime) return []
  return (index.members.get(instance.pid) ?? []).filter((p) => p.startTime >= instance.startTime)
}

/** Is every process of these instances gone? (for stop's polling) */
export const instancesGone = (index: SnapshotIndex, instances: ReadonlyArray<Instance>): boolean =>
  instances.every((i) => liveMembers(index, i).length === 0)
