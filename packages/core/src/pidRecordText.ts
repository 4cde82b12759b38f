import type { PidRecord } from "./PidRecord.ts"
import type { RecordedVar, SpawnRecord } from "./SpawnRecord.ts"

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
  if (!("spawned" in value)) return { pid, startTime, bootId, startedAt }
  const spawned = spawnRecordOf(value.spawned)
  return spawned === null ? null : { pid, startTime, bootId, startedAt, spawned }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const isJson = (v: unknown): boolean =>
  v === null ||
  typeof v === "string" ||
  typeof v === "boolean" ||
  (typeof v === "number" && Number.isFinite(v)) ||
  (Array.isArray(v) && v.every(isJson)) ||
  (isObject(v) && Object.values(v).every(isJson))

/** The variable as the schema would decode it (unknown keys left out), or null. */
const recordedVarOf = (v: unknown): RecordedVar | null => {
  if (!isObject(v) || typeof v.source !== "string") return null
  const { source, value, sha256 } = v
  if (("value" in v && typeof value !== "string") || ("sha256" in v && typeof sha256 !== "string")) return null
  return {
    source,
    ...(typeof value === "string" ? { value } : {}),
    ...(typeof sha256 === "string" ? { sha256 } : {})
  }
}

const spawnRecordOf = (v: unknown): SpawnRecord | null => {
  if (!isObject(v) || typeof v.digest !== "string" || typeof v.salt !== "string" || typeof v.file !== "string") {
    return null
  }
  const spec = v.spec
  if (!isObject(spec) || typeof spec.command !== "string" || typeof spec.cwd !== "string") return null
  const { args, env, settings } = spec
  if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) return null
  if (!isObject(env) || !isObject(settings) || !Object.values(settings).every(isJson)) return null
  const vars: Record<string, RecordedVar> = {}
  for (const [key, raw] of Object.entries(env)) {
    const recorded = recordedVarOf(raw)
    if (recorded === null) return null
    // defineProperty: a variable named __proto__ stays an ordinary key.
    Object.defineProperty(vars, key, { value: recorded, enumerable: true, writable: true, configurable: true })
  }
  return {
    digest: v.digest,
    salt: v.salt,
    file: v.file,
    spec: {
      command: spec.command,
      args,
      cwd: spec.cwd,
      env: vars,
      settings: settings as SpawnRecord["spec"]["settings"]
    }
  }
}
