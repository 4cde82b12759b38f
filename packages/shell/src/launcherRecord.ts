/**
 * Reading the launcher lock (run/launcher.pid) without Effect: the CLI's fast `ls` path asks
 * whether a launcher runs before anything else is loaded. Taking the lock is LauncherLock.ts.
 */
import type { PidRecord } from "@agentctl/core/PidRecord"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { readHostConstantsSync, readUsageSync } from "./procfsSync.ts"

export const lockFileName = "launcher.pid"
export const lockFile = (runDir: string) => join(runDir, lockFileName)

export const parseRecord = (text: string): PidRecord | null => {
  try {
    const v = JSON.parse(text) as Partial<PidRecord>
    return Number.isInteger(v.pid) && typeof v.startTime === "number" && typeof v.bootId === "string"
      ? { pid: v.pid!, startTime: v.startTime, bootId: v.bootId, startedAt: Number(v.startedAt ?? 0) }
      : null
  } catch {
    return null
  }
}

/** Is the process this record names still that process (same pid, start time and boot)? */
export const isLive = (record: PidRecord): boolean => {
  const usage = readUsageSync(record.pid, Date.now())
  const { bootId } = readHostConstantsSync()
  return usage !== null && usage.startTime === record.startTime && (record.bootId === "" || record.bootId === bootId)
}

/** The launcher supervising this fleet, or null: a missing, unreadable or stale lock means none runs. */
export const readLauncherSync = (runDir: string): PidRecord | null => {
  let text: string
  try {
    text = readFileSync(lockFile(runDir), "utf8")
  } catch {
    return null
  }
  const record = parseRecord(text)
  return record !== null && isLive(record) ? record : null
}
