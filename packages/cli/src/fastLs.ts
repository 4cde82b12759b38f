import type { AgentRow } from "@agentctl/core/AgentRow"
import { daemonlessRows, type RecordRead } from "@agentctl/core/Listing"
import { parsePidRecord, readLauncherSync } from "@agentctl/shell/launcherRecord"
import { readSmallBytesSync, readSnapshotSync } from "@agentctl/shell/procfsSync"
// Named imports: a namespace import of a builtin makes the bundle copy every export at start-up.
import { existsSync, writeSync } from "node:fs"
import { join, resolve } from "node:path"
import { readConfigCache } from "./configCache.ts"
import { renderRows } from "./renderRows.ts"

/*
 * `agentctl ls` without loading Effect: start-up is most of what `ls` costs, and this path
 * answers in about the time of `node -e 0`. It runs the same pure core functions as the full
 * path (daemonlessRows over one /proc snapshot) and gives up — returning false, so the full
 * CLI answers — on anything it cannot answer exactly: other flags, a stale config cache, an
 * unreadable pid record, a launcher pid record (the launcher answers then), or no /proc.
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
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? null : undefined
  }
  return parsePidRecord(text) ?? undefined
}

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
    if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e
    process.stdout.write(bytes.subarray(offset))
  }
}

/**
 * `ls` while a launcher runs: one GET /agents over its control socket (the contract's listing
 * endpoint, answered from the launcher's memory), with node:http alone. Any failure returns
 * false and the full CLI asks again, through the typed client, and reports what went wrong.
 */
const lsThroughLauncher = (socketPath: string, launcherPid: number, json: boolean): Promise<boolean> =>
  new Promise((done) => {
    const http = require("node:http") as typeof import("node:http")
    const net = require("node:net") as typeof import("node:net")
    // Our own connection, so no http.Agent: an Agent works out a TLS server name for every
    // request, and the IPv6 regex it compiles for that costs ~3 ms of a 40 ms `ls`.
    const createConnection = () => net.connect(socketPath)
    const request = http.get({ createConnection, path: "/agents", timeout: 10_000 }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (c: Buffer) => chunks.push(c))
      response.on("error", () => done(false))
      response.on("end", () => {
        if (response.statusCode !== 200) return done(false)
        try {
          const rows = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ReadonlyArray<AgentRow>
          writeStdout(json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderRows(rows, "launcher", launcherPid)}\n`)
          done(true)
        } catch {
          done(false)
        }
      })
    })
    request.on("timeout", () => request.destroy())
    request.on("error", () => done(false))
  })

export const fastLs = (argv: ReadonlyArray<string>): boolean | Promise<boolean> => {
  const args = parseArgs(argv)
  if (args === null || !existsSync("/proc/self/stat")) return false
  const root = resolve(args.root ?? process.env.AGENTCTL_ROOT ?? process.cwd())
  const runDir = join(root, "run")
  if (existsSync(join(runDir, "launcher.pid"))) {
    const launcher = readLauncherSync(runDir)
    return launcher === null ? false : lsThroughLauncher(join(runDir, "launcher.sock"), launcher.pid, args.json)
  }
  const entries = readConfigCache(root)
  if (entries === null) return false
  const records = new Map<string, RecordRead>()
  for (const e of entries) {
    if (e._tag !== "Valid") continue
    const id = e.spec.config.agent.id
    const record = readRecord(join(runDir, `${id}.pid`))
    if (record === undefined) return false
    records.set(id, record)
  }
  const known = new Map<number, number>()
  for (const r of records.values())
    if (r !== null && !("unreadable" in r) && r.startTime !== null) known.set(r.pid, r.startTime)
  const rows = daemonlessRows(root, entries, records, readSnapshotSync({ known }), Date.now())
  writeStdout(args.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderRows(rows, "daemonless", null)}\n`)
  return true
}
