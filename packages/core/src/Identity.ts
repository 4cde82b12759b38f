import type { PidRecord } from "./PidRecord.ts"
import { isAlive, type ProcessInfo, type Snapshot } from "./ProcessTable.ts"

/**
 * Which processes belong to an agent. Only evidence counts, never a name:
 * - the pid record's pid **and** start time (same boot), naming a session leader: agentctl starts
 *   every agent with setsid, so a recorded pid that leads no session of its own is not ours;
 * - the marker agentctl put into the environment of every agent it started (read from session
 *   leaders: it is inherited, so the leader's copy speaks for its session).
 *
 * An instance is what agentctl started once: a session, so `npx → node`, `sh -c → prog` and
 * other wrappers are one instance however many processes they are. A marked session whose
 * leader descends from a process of another of the agent's sessions was started by the agent
 * itself (it called setsid for a worker): it belongs to that instance, and stop and kill reach
 * it with the rest. A worker whose instance is gone (reparented to init) is an instance of its
 * own: it still runs as the agent.
 */

/** A session: its id is its leader's pid; the leader's start time tells it from a reused number. */
export interface Session {
  readonly sid: number
  readonly startTime: number
}

export interface Instance {
  /** Leader of the instance's first session: the process agentctl started. */
  readonly pid: number
  readonly startTime: number
  /** The instance's own session, then the worker sessions its processes started, oldest first. */
  readonly sessions: ReadonlyArray<Session>
  /** Every live process of those sessions, leader first. */
  readonly pids: ReadonlyArray<number>
}

export type RecordState =
  | "none" // no pid record
  | "ok" // the record names a live instance
  | "stale" // the record names a process that is gone, recycled, or not a session leader

export interface Resolution {
  readonly instances: ReadonlyArray<Instance>
  /** The recorded instance when alive, else the oldest instance. */
  readonly primary: Instance | null
  readonly record: RecordState
  /** The record's pid is alive but is not the agent: another process owns that number now. */
  readonly recycled: boolean
  /** Write a fresh record for `primary`: the record is missing or stale while the agent runs. */
  readonly repair: boolean
}

/** Per-snapshot index so resolving N agents costs O(N + processes), not O(N × processes). */
export interface SnapshotIndex {
  readonly snapshot: Snapshot
  /** Live processes by session id. */
  readonly members: ReadonlyMap<number, ReadonlyArray<ProcessInfo>>
  /** Live marked session leaders by fleet and agent. */
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

/**
 * The live processes of a session, leader first. Linux does not hand out a pid that is still
 * some session's id: so if the leader's pid now belongs to a process with another start time,
 * every process of our session is gone and the number is someone else's. Members older than the
 * leader belong to an earlier session that had the same number, not to us.
 */
const sessionMembers = (index: SnapshotIndex, session: Session): ReadonlyArray<ProcessInfo> => {
  const leader = index.snapshot.processes.get(session.sid)
  if (leader !== undefined && leader.startTime !== session.startTime) return []
  const all = (index.members.get(session.sid) ?? []).filter((p) => p.startTime >= session.startTime)
  return all.toSorted((a, b) => (a.pid === session.sid ? -1 : b.pid === session.sid ? 1 : 0))
}

/** Is `p` a process of this session (alive, same session, not older than its leader)? */
const inSession = (p: ProcessInfo, session: Session): boolean =>
  p.sid === session.sid && p.startTime >= session.startTime && isAlive(p)

/** A record without a start time (the process died before it was seen) matches nothing: no process has none. */
export const recordMatches = (record: PidRecord, p: ProcessInfo | undefined, bootId: string): p is ProcessInfo =>
  isAlive(p) &&
  p.startTime === record.startTime &&
  p.sid === p.pid &&
  (record.bootId === "" || bootId === "" || record.bootId === bootId)

/** How far up the process tree a worker's ancestry is followed to find the session it came from. */
const maxAncestry = 64

/** The session (among `sessions`, other than its own) that one of `leader`'s ancestors belongs to. */
const parentSession = (
  index: SnapshotIndex,
  leader: ProcessInfo,
  sessions: ReadonlyArray<Session>
): Session | undefined => {
  let ppid = leader.ppid
  for (let hops = 0; hops < maxAncestry && ppid > 1; hops++) {
    const ancestor = index.snapshot.processes.get(ppid)
    if (ancestor === undefined) return undefined
    const found = sessions.find((s) => s.sid !== leader.sid && inSession(ancestor, s))
    if (found !== undefined) return found
    ppid = ancestor.ppid
  }
  return undefined
}

/**
 * Every session that is the agent's (the recorded leader's, marked ones), grouped into instances:
 * a session whose leader descends from another of them joins that one's instance.
 */
const groupInstances = (index: SnapshotIndex, leaders: ReadonlyArray<ProcessInfo>): ReadonlyArray<Instance> => {
  const sessions: ReadonlyArray<Session> = leaders.map((l) => ({ sid: l.sid, startTime: l.startTime }))
  const parent = new Map<number, number>()
  for (const leader of leaders) {
    const found = parentSession(index, leader, sessions)
    if (found !== undefined) parent.set(leader.sid, found.sid)
  }
  const rootOf = (sid: number): number => {
    let current = sid
    // A cycle cannot happen in a real process tree; the bound keeps a forged snapshot from looping.
    for (let hops = 0; hops <= leaders.length && parent.has(current); hops++) current = parent.get(current)!
    return current
  }
  const groups = new Map<number, Array<Session>>()
  for (const s of sessions) {
    const root = rootOf(s.sid)
    const group = groups.get(root)
    if (group === undefined) groups.set(root, [s])
    else group.push(s)
  }
  return [...groups.entries()]
    .map(([root, group]): Instance => {
      const own = group.find((s) => s.sid === root) ?? group[0]!
      const ordered = [own, ...group.filter((s) => s !== own).toSorted((a, b) => a.startTime - b.startTime)]
      return {
        pid: own.sid,
        startTime: own.startTime,
        sessions: ordered,
        pids: ordered.flatMap((s) => sessionMembers(index, s).map((p) => p.pid))
      }
    })
    .toSorted((a, b) => a.startTime - b.startTime || a.pid - b.pid)
}

export const resolveAgent = (index: SnapshotIndex, fleet: string, id: string, record: PidRecord | null): Resolution => {
  const { snapshot } = index
  const recordedProc = record === null ? undefined : snapshot.processes.get(record.pid)
  const recordOk = record !== null && recordMatches(record, recordedProc, snapshot.bootId)
  const leaders = new Map<number, ProcessInfo>()
  if (recordOk) leaders.set(recordedProc.pid, recordedProc)
  for (const p of index.marked.get(markKey(fleet, id)) ?? []) if (!leaders.has(p.pid)) leaders.set(p.pid, p)
  const instances = groupInstances(index, [...leaders.values()])
  const primary = recordOk ? (instances.find((i) => i.pids.includes(record.pid)) ?? null) : (instances[0] ?? null)
  const recycled =
    record !== null && !recordOk && isAlive(recordedProc) && !instances.some((i) => i.pids.includes(record.pid))
  const state: RecordState = record === null ? "none" : recordOk ? "ok" : "stale"
  return { instances, primary, record: state, recycled, repair: state !== "ok" && primary !== null }
}

/** The live processes of an instance now, across all its sessions. */
export const liveMembers = (index: SnapshotIndex, instance: Instance): ReadonlyArray<ProcessInfo> =>
  instance.sessions.flatMap((s) => sessionMembers(index, s))

/** An instance known only by the process we spawned (before any snapshot saw its session). */
export const spawnedInstance = (pid: number, startTime: number): Instance => ({
  pid,
  startTime,
  sessions: [{ sid: pid, startTime }],
  pids: [pid]
})
