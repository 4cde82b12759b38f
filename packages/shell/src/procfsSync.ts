/**
 * The process table from Linux /proc, synchronously and without Effect: the CLI's fast `ls` path
 * imports this module alone. One pass over /proc, no child processes.
 */
import {
  MarkerAgentVar,
  MarkerFleetVar,
  type ProcessInfo,
  type Snapshot,
  type Usage
} from "@agentctl/core/ProcessTable"
import { closeSync, openSync, readdirSync, readFileSync, readSync } from "node:fs"
import { endianness } from "node:os"
import { parseAuxvClockTicks, parseBtime, parseCmdline, parseStat, parseStatusRssKb } from "@agentctl/core/procfs"
import { errorCode } from "./errno.ts"

/** /proc itself is missing or unreadable; the message says what to do. */
export class ProcfsUnavailable extends Error {
  override readonly name = "ProcfsUnavailable"
}

export interface HostConstants {
  readonly bootId: string
  readonly bootTimeMs: number
  readonly ticksPerSecond: number
}

/** The process exited (or was never there) between readdir and read: not an error. */
const isGone = (error: unknown): boolean => {
  const code = errorCode(error)
  return code === "ENOENT" || code === "ESRCH"
}

/** hidepid and friends: a process we may not look at is one we do not see. */
const isHidden = (error: unknown): boolean => {
  const code = errorCode(error)
  return code === "EACCES" || code === "EPERM"
}

/** parseAuxvClockTicks reads the 64-bit little-endian layout; elsewhere auxv would be misread. */
const AUXV_LAYOUT_OK = endianness() === "LE" && ["x64", "arm64", "riscv64", "loong64", "ppc64"].includes(process.arch)

const readClockTicks = (): number => {
  if (!AUXV_LAYOUT_OK) return 100
  try {
    // USER_HZ is 100 on every mainstream Linux; only used when auxv says nothing.
    // Through readSmallBytesSync: readFileSync on /proc/self/auxv costs ~1.7 ms (it sizes the
    // file with fstat, gets 0, and falls back to a slow path); this is a single read.
    return parseAuxvClockTicks(readSmallBytesSync("/proc/self/auxv")) ?? 100
  } catch {
    return 100
  }
}

const readBootTimeMs = (): number => {
  let text: string
  try {
    text = readFileSync("/proc/stat", "utf8")
  } catch (error) {
    throw new ProcfsUnavailable(`cannot read /proc/stat (${errorCode(error) ?? String(error)}): is /proc mounted?`)
  }
  const btime = parseBtime(text)
  if (btime === null) throw new ProcfsUnavailable("/proc/stat has no btime line")
  return btime * 1000
}

let bootId: string | undefined

/**
 * /proc/sys/kernel/random/boot_id, read once; "" where the kernel has none (no /proc, not Linux):
 * a pid record with an empty boot id is then compared by pid and start time alone.
 */
export const readBootIdSync = (): string => {
  if (bootId === undefined) {
    try {
      bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
    } catch {
      bootId = ""
    }
  }
  return bootId
}

let hostConstants: HostConstants | undefined

/** Boot id, boot time and USER_HZ: constant for the life of this process, so read once. */
export const readHostConstantsSync = (): HostConstants => {
  hostConstants ??= { bootId: readBootIdSync(), bootTimeMs: readBootTimeMs(), ticksPerSecond: readClockTicks() }
  return hostConstants
}

let scratch = Buffer.allocUnsafe(16 * 1024)

/**
 * open + read + close into one reused buffer: /proc files report size 0, so readFileSync takes
 * its slow path. The result is a view of the shared buffer, valid until the next call.
 */
export const readSmallBytesSync = (file: string, shortReadIsEnd = false): Buffer => {
  const fd = openSync(file, "r")
  try {
    let length = 0
    for (;;) {
      const n = readSync(fd, scratch, length, scratch.length - length, null)
      if (n === 0) return scratch.subarray(0, length)
      length += n
      // A regular file, or a one-line /proc file such as stat, is whole once a read comes back
      // short: skip the read that would return 0 (one syscall per file, hundreds per `ls`).
      // environ is read in page-sized pieces, so it keeps reading to the end.
      if (shortReadIsEnd && length < scratch.length) return scratch.subarray(0, length)
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2)
        scratch.copy(bigger, 0, 0, length)
        scratch = bigger
      }
    }
  } finally {
    closeSync(fd)
  }
}

const fleetKey = Buffer.from(`\0${MarkerFleetVar}=`)
const agentKey = Buffer.from(`\0${MarkerAgentVar}=`)

/**
 * The marker, found in the raw bytes: environments run to kilobytes, and decoding and splitting
 * every session leader's would dominate the scan. Only the two values are decoded.
 */
const markerFromBytes = (env: Buffer): ProcessInfo["marker"] => {
  const valueAfter = (key: Buffer): string | null => {
    // The first variable has no NUL before it.
    const first = env.subarray(0, key.length - 1).equals(key.subarray(1))
    const at = first ? 0 : env.indexOf(key)
    if (at === -1) return null
    const from = first ? key.length - 1 : at + key.length
    const end = env.indexOf(0, from)
    return env.toString("utf8", from, end === -1 ? env.length : end)
  }
  if (env.indexOf("AGENTCTL_") === -1) return null
  const fleet = valueAfter(fleetKey)
  const agent = valueAfter(agentKey)
  return fleet === null || agent === null || fleet === "" || agent === "" ? null : { fleet, agent }
}

const readMarkerSync = (pid: number): ProcessInfo["marker"] => {
  try {
    return markerFromBytes(readSmallBytesSync(`/proc/${pid}/environ`))
  } catch {
    // EACCES (another user's process), or it exited: either way there is no marker we can see.
    return null
  }
}

const isPidName = (name: string): boolean => {
  if (name.length === 0) return false
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/**
 * One snapshot of every process: `stat` for each, `environ` only for session leaders (the marker
 * agentctl sets is inherited, so the leader's copy is the instance's). Throws ProcfsUnavailable
 * when /proc cannot be listed, or the fs error of an unexpected failure.
 */
export interface SnapshotOptions {
  /**
   * Processes the caller already knows by pid and start time (from pid records): their
   * environment is not read, and their marker is reported as null. Saves one environ read per
   * running agent on the fast `ls` path; identity never needs the marker of a recorded process.
   */
  readonly known?: ReadonlyMap<number, number>
  /**
   * An earlier snapshot of this boot: a session leader in it with the same pid and start time is
   * the same process, and keeps the marker read then. A stop that looks at the table every few
   * milliseconds then reads the environment of the sessions that are new, not of every agent's
   * leader at every look.
   */
  readonly previous?: Snapshot
}

const markerFrom = (previous: Snapshot | undefined, pid: number, startTime: number) => {
  const before = previous?.processes.get(pid)
  return before !== undefined && before.startTime === startTime ? before.marker : readMarkerSync(pid)
}

export const readSnapshotSync = (options: SnapshotOptions = {}): Snapshot => {
  const host = readHostConstantsSync()
  let names: Array<string>
  try {
    names = readdirSync("/proc")
  } catch (error) {
    throw new ProcfsUnavailable(
      `cannot list /proc (${errorCode(error) ?? String(error)}): this host has no procfs; use the ps prober`
    )
  }
  const processes = new Map<number, ProcessInfo>()
  for (const name of names) {
    if (!isPidName(name)) continue
    let text: string
    try {
      // latin1: comm is raw bytes and this decode is a plain copy
      text = readSmallBytesSync(`/proc/${name}/stat`, true).toString("latin1")
    } catch (error) {
      if (isGone(error) || isHidden(error)) continue
      throw error
    }
    const stat = parseStat(text)
    if (stat === null) continue
    processes.set(stat.pid, {
      pid: stat.pid,
      ppid: stat.ppid,
      pgid: stat.pgid,
      sid: stat.sid,
      state: stat.state,
      comm: stat.comm,
      startTime: stat.startTime,
      marker:
        stat.sid === stat.pid && options.known?.get(stat.pid) !== stat.startTime
          ? markerFrom(options.previous, stat.pid, stat.startTime)
          : null
    })
  }
  return { ...host, processes }
}

/** Usage of one pid from `stat` + `status`; null when it is gone, a zombie, or hidden from us. */
export const readUsageSync = (pid: number, nowMs: number): Usage | null => {
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"))
    // A zombie has exited; it lingers only until its parent (often init, for a detached agent)
    // reaps it. Counting it as alive would make stop and adoption wait on a dead process.
    if (stat === null || stat.state === "Z" || stat.state === "X" || stat.state === "x") return null
    const rssKb = parseStatusRssKb(readFileSync(`/proc/${pid}/status`, "utf8")) ?? 0
    return {
      pid,
      startTime: stat.startTime,
      rssBytes: rssKb * 1024,
      cpuTicks: stat.utime + stat.stime,
      sampledAt: nowMs
    }
  } catch (error) {
    if (isGone(error) || isHidden(error)) return null
    throw error
  }
}

/** argv of one pid; [] for kernel threads and zombies; null when it is gone or unreadable. */
export const readArgvSync = (pid: number): ReadonlyArray<string> | null => {
  try {
    return parseCmdline(readFileSync(`/proc/${pid}/cmdline`, "utf8"))
  } catch {
    return null
  }
}
