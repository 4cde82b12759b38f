/**
 * The process table from Linux /proc, synchronously and without Effect: the CLI's fast `ls` path
 * imports this module alone. One pass over /proc, no child processes.
 */
import type { ProcessInfo, Snapshot, Usage } from "@agentctl/core/ProcessTable"
import { readdirSync, readFileSync } from "node:fs"
import { endianness } from "node:os"
import {
  parseAuxvClockTicks,
  parseBtime,
  parseCmdline,
  parseEnvironMarker,
  parseStat,
  parseStatusRssKb
} from "@agentctl/core/procfs"

/** /proc itself is missing or unreadable; the message says what to do. */
export class ProcfsUnavailable extends Error {
  override readonly name = "ProcfsUnavailable"
}

export interface HostConstants {
  readonly bootId: string
  readonly bootTimeMs: number
  readonly ticksPerSecond: number
}

const errorCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined

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
    return parseAuxvClockTicks(readFileSync("/proc/self/auxv")) ?? 100
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

const readBootId = (): string => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
  } catch {
    return ""
  }
}

let hostConstants: HostConstants | undefined

/** Boot id, boot time and USER_HZ: constant for the life of this process, so read once. */
export const readHostConstantsSync = (): HostConstants => {
  hostConstants ??= { bootId: readBootId(), bootTimeMs: readBootTimeMs(), ticksPerSecond: readClockTicks() }
  return hostConstants
}

const readMarkerSync = (pid: number): ProcessInfo["marker"] => {
  try {
    return parseEnvironMarker(readFileSync(`/proc/${pid}/environ`, "utf8"))
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
export const readSnapshotSync = (): Snapshot => {
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
      text = readFileSync(`/proc/${name}/stat`, "utf8")
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
      marker: stat.sid === stat.pid ? readMarkerSync(stat.pid) : null
    })
  }
  return { ...host, processes }
}

/** Usage of one pid from `stat` + `status`; null when it is gone (or hidden from us). */
export const readUsageSync = (pid: number, nowMs: number): Usage | null => {
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"))
    if (stat === null) return null
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
