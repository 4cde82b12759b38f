/**
 * Who supervises a fleet, answered without Effect: the CLI's fast `ls` path asks before
 * anything else is loaded. A launcher is registered by `run/launcher.pid` (pid, start time, boot
 * id), and a record proves nothing alone: anyone who can write `run/` could write one. It names a
 * launcher of this fleet only while that very process (same start time, same boot) holds
 * `run/launcher.lock` open, the lock a launcher takes for its whole life (LauncherLock.ts).
 */
import type { PidRecord } from "@agentctl/core/PidRecord"
import { parsePidRecord } from "@agentctl/core/pidRecordText"
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs"
import { join } from "node:path"
import { readBootIdSync, readUsageSync } from "./procfsSync.ts"

export const recordFileName = "launcher.pid"
export const lockFileName = "launcher.lock"
export const recordFile = (runDir: string) => join(runDir, recordFileName)
export const lockFile = (runDir: string) => join(runDir, lockFileName)

/** Is the process this record names still that process (same pid, start time and boot)? */
export const isLive = (record: PidRecord): boolean => {
  const usage = readUsageSync(record.pid, Date.now())
  const bootId = readBootIdSync()
  return (
    usage !== null &&
    usage.startTime === record.startTime &&
    (record.bootId === "" || bootId === "" || record.bootId === bootId)
  )
}

/**
 * Does `pid` hold `file` open? Read from /proc/<pid>/fd; false when the file does not exist or
 * that folder cannot be read (the process is gone, or belongs to a user whose fds we may not
 * see: then it is not a launcher we could talk to or signal anyway).
 */
export const holdsOpen = (pid: number, file: string): boolean => {
  let target: string
  let fds: ReadonlyArray<string>
  try {
    // /proc/<pid>/fd links name real paths: a fleet reached through a symlink must match too.
    target = realpathSync(file)
    fds = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return false
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return true
    } catch {
      // closed between readdir and readlink
    }
  }
  return false
}

/** The record of the launcher supervising this fleet, or null: missing, unreadable, stale or forged. */
export const readLauncherSync = (runDir: string): PidRecord | null => {
  let text: string
  try {
    text = readFileSync(recordFile(runDir), "utf8")
  } catch {
    return null
  }
  const record = parsePidRecord(text)
  return record !== null && isLive(record) && holdsOpen(record.pid, lockFile(runDir)) ? record : null
}
