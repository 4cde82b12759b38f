import { mergeAgentEnv } from "@agentctl/core/mergeAgentEnv"
import { parseDotenv } from "@agentctl/core/dotenv"
import { daemonlessRows, isRecord, type RecordRead, recordedSpawns } from "@agentctl/core/Listing"
import { startsFrom, type StartNow } from "@agentctl/core/spawnDrift"
import type { LogUsage } from "@agentctl/core/LogUsage"
import { parsePidRecord } from "@agentctl/core/pidRecordText"
import { daemonlessUsage } from "@agentctl/shell/logs/usageSummary"
import { errorCode } from "@agentctl/shell/errno"
import { readLauncherSync } from "@agentctl/shell/launcherRecord"
import { readSmallBytesSync, readSnapshotSync } from "@agentctl/shell/procfsSync"
// Named imports: a namespace import of a builtin makes the bundle copy every export at start-up.
import { existsSync, readFileSync, statSync, writeSync } from "node:fs"
import { join, resolve } from "node:path"
import { type CachedFleet, readConfigCache } from "@agentctl/shell/configCache"
import { type Listing, renderListing } from "./renderRows.ts"

/*
 * `agentctl ls` without loading Effect: start-up is most of what `ls` costs, and this path
 * answers in about the time of `node -e 0`. It runs the same pure core functions as the full
 * path (daemonlessRows over one /proc snapshot) and prints with the same renderer; it gives up
 * — returning false, so the full CLI answers — on anything it cannot answer exactly: other
 * flags, a stale config cache, an unreadable pid record, a launcher that does not answer, or
 * no /proc. This folder is the fast path's home: scripts/check-cycles.mjs fails the build if
 * anything bin.ts imports, however indirectly, imports Effect.
 */

const parseArgs = (argv: ReadonlyArray<string>): { root: string | undefined; json: boolean } | null => {
  let root: string | undefined
  let json = false
  let sawLs = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === "ls" && !sawLs) sawLs = true
    else if (a === "--json") json = true
    else if (a === "--root" && i + 1 < argv.length && !argv[i + 1]!.startsWith("-")) root = argv[++i]
    else if (a.startsWith("--root=") && a.length > 7) root = a.slice(7)
    else return null
  }
  return sawLs ? { root, json } : null
}

/** null: the record exists but is not one we can trust here (let the full path report it). */
const readRecord = (file: string): RecordRead | undefined => {
  let text: string
  try {
    // One open/read/close (readFileSync adds an fstat per file: 300 agents, 300 more syscalls)
    text = readSmallBytesSync(file, true).toString("utf8")
  } catch (e) {
    return errorCode(e) === "ENOENT" ? null : undefined
  }
  return parsePidRecord(text) ?? undefined
}

/** A `.env` file's variables: {} when there is none; null when it cannot be read or does not parse (the full path says why). */
const readDotenvSync = (file: string): Readonly<Record<string, string>> | null => {
  // Most agents have no .env: a stat that answers undefined costs less than a read that throws.
  if (statSync(file, { throwIfNoEntry: false }) === undefined) return {}
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (e) {
    return errorCode(e) === "ENOENT" ? {} : null
  }
  const parsed = parseDotenv(text)
  return parsed.errors.length > 0 ? null : Object.fromEntries(parsed.entries.map((e) => [e.key, e.value]))
}

/**
 * What a start of each recorded agent would run now (FleetDrift.startsNow's answer, from the
 * same pure functions); null when a `.env` does not parse, which the full path reports.
 */
const startsNowSync = (root: string, cached: CachedFleet, records: ReadonlyMap<string, RecordRead>) => {
  const ids = recordedSpawns(records)
  if (ids.length === 0) return new Map<string, StartNow>()
  const fleetVars = readDotenvSync(cached.envFile)
  if (fleetVars === null) return null
  // The host's layer is left out of drift (spawnIntent drops it): only the files' layers matter.
  const layers = [{ source: "fleet .env", vars: fleetVars }] as const
  let unreadable = false
  const starts = startsFrom(
    cached.entries,
    ids,
    (spec) => {
      const agentFile = join(spec.dir, ".env")
      const agentVars = agentFile === cached.envFile ? {} : readDotenvSync(agentFile)
      if (agentVars === null) unreadable = true
      return { _tag: "Env", env: mergeAgentEnv(root, spec, layers, agentVars ?? {}) }
    },
    (spec) => resolve(spec.dir, spec.config.run.cwd)
  )
  return unreadable ? null : starts
}

/**
 * The daemonless listing from the config cache, the pid records and one /proc pass; null when
 * it cannot be answered exactly here (a stale cache, an unreadable record).
 */
export const daemonlessListing = (root: string, now: number): Listing | null => {
  const runDir = join(root, "run")
  const cached = readConfigCache(root)
  if (cached === null) return null
  const { entries, logMaxSize } = cached
  const records = new Map<string, RecordRead>()
  for (const e of entries) {
    if (e._tag !== "Valid") continue
    const id = e.spec.config.agent.id
    const record = readRecord(join(runDir, `${id}.pid`))
    if (record === undefined) return null
    records.set(id, record)
  }
  // A recorded leader's environment need not be read: the record already ties it to its agent.
  const known = new Map<number, number>()
  for (const r of records.values()) if (isRecord(r) && r.startTime !== null) known.set(r.pid, r.startTime)
  const limits = [...records].map(([id, r]) => ({
    id,
    maxSize: logMaxSize[id],
    pid: isRecord(r) ? r.pid : null
  }))
  if (limits.some((l) => l.maxSize === undefined)) return null
  let logs: ReadonlyMap<string, LogUsage>
  try {
    logs = daemonlessUsage(
      runDir,
      limits.map(({ id, maxSize, pid }) => ({ id, maxSize: maxSize!, pid }))
    )
  } catch {
    // An unreadable usage summary: the full path says what is wrong with it.
    return null
  }
  const starts = startsNowSync(root, cached, records)
  if (starts === null) return null
  const rows = daemonlessRows(root, entries, records, readSnapshotSync({ known }), now, logs, starts)
  return { rows, supervisor: "daemonless", launcherPid: null }
}

/**
 * The launcher's listing: one GET /agents over its control socket (the contract's listing
 * endpoint, answered from the launcher's memory), with node:http alone; null on any failure
 * (the full CLI then asks again, through the typed client, and reports what went wrong).
 */
export const launcherListing = (socketPath: string, launcherPid: number): Promise<Listing | null> =>
  new Promise((done) => {
    const http = require("node:http") as typeof import("node:http")
    const net = require("node:net") as typeof import("node:net")
    // Our own connection, so no http.Agent: an Agent works out a TLS server name for every
    // request, and the IPv6 regex it compiles for that costs ~3 ms of a 40 ms `ls`.
    const createConnection = () => net.connect(socketPath)
    const request = http.get(
      { createConnection, path: "/agents", headers: { "cache-control": "no-cache" }, timeout: 10_000 },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (c: Buffer) => chunks.push(c))
        response.on("error", () => done(null))
        response.on("end", () => {
          if (response.statusCode !== 200) return done(null)
          try {
            const rows = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Listing["rows"]
            done({ rows, supervisor: "launcher", launcherPid })
          } catch {
            done(null)
          }
        })
      }
    )
    request.on("timeout", () => request.destroy())
    request.on("error", () => done(null))
  })

/**
 * fs.writeSync on fd 1: touching process.stdout loads Node's whole stream stack (~2 ms).
 * A non-blocking pipe may refuse part of a large write (EAGAIN); the rest goes through the stream.
 */
const writeStdout = (text: string): void => {
  const bytes = Buffer.from(text)
  let offset = 0
  try {
    while (offset < bytes.length) offset += writeSync(1, bytes, offset)
  } catch (e) {
    if (errorCode(e) !== "EAGAIN") throw e
    process.stdout.write(bytes.subarray(offset))
  }
}

export const fastLs = (argv: ReadonlyArray<string>): boolean | Promise<boolean> => {
  const args = parseArgs(argv)
  if (args === null || !existsSync("/proc/self/stat")) return false
  const root = resolve(args.root ?? process.env.AGENTCTL_ROOT ?? process.cwd())
  const runDir = join(root, "run")
  const print = (listing: Listing | null) => {
    if (listing === null) return false
    writeStdout(`${renderListing(listing, args.json)}\n`)
    return true
  }
  if (existsSync(join(runDir, "launcher.pid"))) {
    const launcher = readLauncherSync(runDir)
    if (launcher !== null) return launcherListing(join(runDir, "launcher.sock"), launcher.pid).then(print)
  }
  return print(daemonlessListing(root, Date.now()))
}
