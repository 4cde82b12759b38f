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

/**
 * A pid record (the launcher's lock or an agent's run/<id>.pid) checked by hand: the same shape as
 * core's PidRecord schema, without loading Schema on the fast paths. null when it is not one.
 */
export const parsePidRecord = (text: string): PidRecord | null => {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof v !== "object" || v === null) return null
  const r = v as Record<string, unknown>
  return Number.isInteger(r.pid) &&
    (r.startTime === null || typeof r.startTime === "number") &&
    typeof r.bootId === "string" &&
    typeof r.startedAt === "number"
    ? (r as unknown as PidRecord)
    : null
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
  const record = parsePidRecord(text)
  return record !== null && isLive(record) ? record : null
}
