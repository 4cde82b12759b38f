/**
 * Pure parsers for `ps` output (run with LC_ALL=C and TZ=UTC, so dates are English and UTC).
 */
import type { Marker, ProcessInfo } from "@agentctl/core/ProcessTable"
import { parseEnvironMarker } from "@agentctl/core/procfs"

const MONTHS: ReadonlyArray<string> = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec"
]

const LSTART = String.raw`[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})`

const lstartSeconds = (groups: ReadonlyArray<string | undefined>): number | null => {
  const [mon, day, hh, mm, ss, year] = groups
  const month = MONTHS.indexOf(mon ?? "")
  if (month < 0) return null
  return Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss)) / 1000
}

/** `lstart` (e.g. "Thu Nov 26 14:44:11 2026", UTC) as unix seconds. */
export const parseLstart = (text: string): number | null => {
  const match = new RegExp(`^\\s*${LSTART}\\s*$`).exec(text)
  return match === null ? null : lstartSeconds(match.slice(1))
}

/** Where an environment entry starts: a space, then NAME=. */
const ENTRY_START = / (?=[A-Za-z_][A-Za-z0-9_]*=)/

/**
 * `ps e` prints the environment after the command as space-separated NAME=value pairs, unquoted.
 * A value is taken to run until the next " NAME=", so a value that itself contains " X=" is cut
 * short there (a fleet path like "/srv/a X=b" would be misread).
 */
export const parsePsEnvironment = (text: string): Marker | null =>
  parseEnvironMarker(text.split(ENTRY_START).join("\0"))

const SNAPSHOT_LINE = new RegExp(String.raw`^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+${LSTART} (.*)$`)

/**
 * One line of `ps -o pid=,ppid=,pgid=,sid=,stat=,lstart=,comm=` with the `e` flag: the last column
 * is the comm, then (when we may read it) " " and the environment. The comm ends at the first
 * " NAME=", so a comm that itself contains " X=" is cut short (Linux comms are at most 15 bytes).
 * The marker is kept for session leaders only, like the /proc prober.
 */
export const parsePsSnapshotLine = (line: string): ProcessInfo | null => {
  const match = SNAPSHOT_LINE.exec(line)
  if (match === null) return null
  const [, pid, ppid, pgid, sid, stat, ...rest] = match
  const startTime = lstartSeconds(rest.slice(0, 6))
  const tail = rest[6]
  if (startTime === null || tail === undefined || stat === undefined) return null
  const envAt = tail.search(ENTRY_START)
  const comm = envAt < 0 ? tail : tail.slice(0, envAt)
  const info = {
    pid: Number(pid),
    ppid: Number(ppid),
    pgid: Number(pgid),
    sid: Number(sid),
    state: stat.slice(0, 1),
    comm,
    startTime
  }
  const marker = info.sid === info.pid && envAt >= 0 ? parsePsEnvironment(tail.slice(envAt + 1)) : null
  return { ...info, marker }
}

export const parsePsSnapshot = (stdout: string): Map<number, ProcessInfo> => {
  const processes = new Map<number, ProcessInfo>()
  for (const line of stdout.split("\n")) {
    const info = parsePsSnapshotLine(line)
    if (info !== null) processes.set(info.pid, info)
  }
  return processes
}

/** `time` ([DD-]HH:MM:SS or MM:SS) as seconds. */
export const parsePsCpuTime = (text: string): number | null => {
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(text.trim())
  if (match === null) return null
  const [, days, hours, minutes, seconds] = match
  return Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds)
}

export interface PsUsage {
  readonly rssKb: number
  readonly cpuSeconds: number
  readonly startTime: number
}

const USAGE_LINE = new RegExp(String.raw`^\s*(\d+)\s+(\S+)\s+${LSTART}\s*$`)

/** One line of `ps -o rss=,time=,lstart=`. */
export const parsePsUsage = (stdout: string): PsUsage | null => {
  const match = USAGE_LINE.exec(stdout.split("\n")[0] ?? "")
  if (match === null) return null
  const [, rss, time, ...rest] = match
  const cpuSeconds = parsePsCpuTime(time ?? "")
  const startTime = lstartSeconds(rest)
  if (cpuSeconds === null || startTime === null) return null
  return { rssKb: Number(rss), cpuSeconds, startTime }
}
