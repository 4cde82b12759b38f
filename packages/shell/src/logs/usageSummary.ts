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
import { fifoFile, rawLogFile } from "@agentctl/core/LogLayout"
import type { LogUsageQuery } from "@agentctl/core/RunDir"
import { readdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from "node:fs"
import { errorCode } from "../errno.ts"
import { fileSizeOrZero } from "./diskFacts.ts"

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

/** The fleet's log usage with no launcher running: the summary, and one stat per agent. */
export const daemonlessUsage = (
  runDir: string,
  agents: ReadonlyArray<LogUsageQuery>
): ReadonlyMap<string, LogUsage> => {
  const summary = readUsageSummary(runDir)
  // Only an agent a launcher ran has a folder here, and so a FIFO its stdout could still be:
  // one listing of the folder spares a readlink per agent of a fleet that never had a launcher.
  const launched = logFolders(runDir)
  return new Map(
    agents.map(({ id, maxSize, pid }) => {
      const path = rawLogFile(runDir, id)
      const raw = { path, bytes: fileSizeOrZero(path) }
      const fifo = launched.has(id) ? undrainedFifo(runDir, id, pid) : null
      return [id, daemonlessLogUsage(summary.get(id)?.bytes ?? 0, raw, maxSize, fifo)] as const
    })
  )
}

/** The names in run/logs (each agent a launcher ran has its folder there); none when it does not exist. */
const logFolders = (runDir: string): ReadonlySet<string> => {
  try {
    return new Set(readdirSync(`${runDir}/logs`))
  } catch (error) {
    if (errorCode(error) === "ENOENT") return new Set()
    throw error
  }
}

/**
 * The FIFO this pid's stdout is, when it is the agent's own (a launcher started it and is gone).
 * A recycled pid's stdout is some other file, so it is never mistaken for the agent.
 */
const undrainedFifo = (runDir: string, id: string, pid: number | null): string | null => {
  if (pid === null) return null
  const fifo = fifoFile(runDir, id, "stdout")
  try {
    return readlinkSync(`/proc/${pid}/fd/1`) === fifo ? fifo : null
  } catch (error) {
    // Gone, or not ours to read (another user's process under a recycled pid): not draining ours.
    const code = errorCode(error)
    if (code === "ENOENT" || code === "EACCES" || code === "ESRCH") return null
    throw error
  }
}
