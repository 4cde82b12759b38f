/**
 * One snapshot of the process table, as a Prober sees it. Plain data so pure functions
 * (identity, status) can take it as an argument.
 */

/** The marker agentctl puts into every agent's environment; it survives exec and is inherited by children. */
export const MarkerFleetVar = "AGENTCTL_FLEET"
export const MarkerAgentVar = "AGENTCTL_AGENT"

export interface Marker {
  readonly fleet: string
  readonly agent: string
}

export interface ProcessInfo {
  readonly pid: number
  readonly ppid: number
  readonly pgid: number
  /** Session id: agentctl starts every agent in its own session, so a session is an instance. */
  readonly sid: number
  /** One-letter state from /proc/<pid>/stat (R, S, D, Z, T, ...). */
  readonly state: string
  readonly comm: string
  /** Prober-specific start time token (clock ticks since boot on /proc). */
  readonly startTime: number
  /** Read for session leaders only (the cost of one environ read each); null when absent or unreadable. */
  readonly marker: Marker | null
}

export interface Snapshot {
  readonly bootId: string
  /** Unix ms of boot, to turn start times into wall clock. */
  readonly bootTimeMs: number
  /** Clock ticks per second (USER_HZ) for start times and CPU times. */
  readonly ticksPerSecond: number
  readonly processes: ReadonlyMap<number, ProcessInfo>
}

/** Resource usage of one process, from /proc/<pid>/stat and /status. */
export interface Usage {
  readonly pid: number
  readonly startTime: number
  readonly rssBytes: number
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number
  /** Monotonic-ish sample time, ms, for CPU% from two samples. */
  readonly sampledAt: number
}

export const isAlive = (p: ProcessInfo | undefined): p is ProcessInfo =>
  p !== undefined && p.state !== "Z" && p.state !== "X" && p.state !== "x"

/** The pids of the session a leader heads, itself included (started no earlier than it). */
export const sessionPids = (snapshot: Snapshot, leader: number): ReadonlyArray<number> => {
  const l = snapshot.processes.get(leader)
  if (!isAlive(l)) return []
  return [...snapshot.processes.values()]
    .filter((p) => p.sid === l.sid && isAlive(p) && p.startTime >= l.startTime)
    .map((p) => p.pid)
}
