import type { PidRecord } from "./PidRecord.ts"

/*
 * A pid record's text checked by hand, without loading Schema: the fast `ls` path and the
 * launcher lock read records before Effect is loaded. It accepts exactly what the PidRecord
 * schema accepts (a test runs both over the same fixtures); anything else is not a record.
 */

export const parsePidRecord = (text: string): PidRecord | null => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null
  if (!("pid" in value && "startTime" in value && "bootId" in value && "startedAt" in value)) return null
  const { pid, startTime, bootId, startedAt } = value
  if (typeof pid !== "number" || !Number.isSafeInteger(pid)) return null
  if (startTime !== null && typeof startTime !== "number") return null
  if (typeof bootId !== "string" || typeof startedAt !== "number") return null
  return { pid, startTime, bootId, startedAt }
}
