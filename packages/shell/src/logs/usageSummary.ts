/**
 * `run/logs/usage.json`: the launcher's count of each agent's records (bytes on disk and its
 * counters), rewritten at most once a second while they change and at its exit. Without a
 * launcher nothing writes records, so this plus one stat of each raw `run/<id>.log` is the fleet's
 * log usage: `ls` reads one file, not every rotated file of every agent. Plain node:fs, no
 * Effect: the fast `ls` path reads it too.
 */
import type { LauncherLogCounters } from "@agentctl/core/logUsageOf"
import { daemonlessLogUsage } from "@agentctl/core/logUsageOf"
import type { LogUsage } from "@agentctl/core/LogUsage"
import { rawLogFile } from "@agentctl/core/LogLayout"
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { errorCode } from "../errno.ts"

export const usageSummaryFile = (runDir: string): string => `${runDir}/logs/usage.json`

interface SummaryFile {
  readonly version: 1
  readonly agents: Readonly<Record<string, LauncherLogCounters>>
}

const COUNTERS = ["bytes", "writtenBytes", "droppedBytes", "evictedBytes", "cutLines"] as const

const isCounters = (value: unknown): value is LauncherLogCounters =>
  typeof value === "object" &&
  value !== null &&
  COUNTERS.every((k) => {
    const n: unknown = (value as Record<string, unknown>)[k]
    return typeof n === "number" && Number.isSafeInteger(n) && n >= 0
  })

export class UsageSummaryInvalid extends Error {
  readonly path: string
  constructor(path: string) {
    super(`${path} is not a log usage summary written by agentctl`)
    this.path = path
  }
}

/** Per agent; empty when no launcher ever wrote one. Throws UsageSummaryInvalid for a file that is not one. */
export const readUsageSummary = (runDir: string): ReadonlyMap<string, LauncherLogCounters> => {
  const path = usageSummaryFile(runDir)
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    if (errorCode(error) === "ENOENT") return new Map()
    throw error
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new UsageSummaryInvalid(path)
  }
  const agents = typeof parsed === "object" && parsed !== null ? (parsed as { agents?: unknown }).agents : undefined
  if ((parsed as { version?: unknown }).version !== 1 || typeof agents !== "object" || agents === null)
    throw new UsageSummaryInvalid(path)
  const out = new Map<string, LauncherLogCounters>()
  for (const [id, counters] of Object.entries(agents)) {
    if (!isCounters(counters)) throw new UsageSummaryInvalid(path)
    out.set(id, counters)
  }
  return out
}

export const writeUsageSummary = (runDir: string, agents: ReadonlyMap<string, LauncherLogCounters>): void => {
  const path = usageSummaryFile(runDir)
  const data: SummaryFile = { version: 1, agents: Object.fromEntries(agents) }
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(data))
  renameSync(tmp, path)
}

const sizeOf = (path: string): number => {
  try {
    return statSync(path).size
  } catch (error) {
    if (errorCode(error) === "ENOENT") return 0
    throw error
  }
}

/** The fleet's log usage with no launcher running: the summary, and one stat per agent. */
export const daemonlessUsage = (
  runDir: string,
  agents: ReadonlyArray<{ readonly id: string; readonly maxSize: number }>
): ReadonlyMap<string, LogUsage> => {
  const summary = readUsageSummary(runDir)
  return new Map(
    agents.map(({ id, maxSize }) => {
      const path = rawLogFile(runDir, id)
      return [id, daemonlessLogUsage(summary.get(id)?.bytes ?? 0, { path, bytes: sizeOf(path) }, maxSize)] as const
    })
  )
}
