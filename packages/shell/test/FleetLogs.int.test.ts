/**
 * FleetLogs with real FIFOs and real writers: lossless through rotations, and the fleet budget.
 * A launcher killed mid-stream is tried for real, in the CLI's launcher tests.
 */
import type { LogNotice } from "@agentctl/core/LogNotice"
import { parseRecord } from "@agentctl/core/LogRecord"
import type { ResolvedLogSettings } from "@agentctl/core/LogSettings"
import { FleetLogs, type FleetLogsOptions } from "@agentctl/shell/logs/FleetLogs"
import { spawn } from "node:child_process"
import { closeSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { gunzipSync, gzipSync } from "node:zlib"
import { afterEach, describe, expect, it } from "vitest"
import { cleanup, PATH, tempDir, track } from "./support.ts"

afterEach(cleanup)

const settings = (over: Partial<ResolvedLogSettings> = {}): ResolvedLogSettings => ({
  maxSize: 64 * 1024,
  keep: 1000,
  minKeep: 0,
  compress: false,
  maxLine: 64 * 1024,
  ...over
})

/** A stand-in for the gzip segment format: any valid gzip is readable here. */
const gzipWhole = async (src: string, dst: string) => {
  const bytes = gzipSync(readFileSync(src))
  writeFileSync(dst, bytes)
  return { bytes: bytes.length }
}

const open = (runDir: string, over: Partial<FleetLogsOptions> = {}, agent = settings()) => {
  const notices: Array<LogNotice> = []
  const logs = FleetLogs.open({
    runDir,
    budget: { maxTotal: 1 << 30, keepFree: { _tag: "Bytes", bytes: 0 } },
    settingsFor: () => agent,
    compress: gzipWhole,
    notify: (n) => void notices.push(n),
    ...over
  })
  return { logs, notices }
}

/** Starts `script` in bash with stdout/stderr on the agent's FIFOs, as the launcher's spawner does. */
const start = (logs: FleetLogs, id: string, script: string, agent = settings()) =>
  new Promise<{ pid: number; exited: Promise<void> }>((resolve, reject) => {
    const fds = logs.outputFor(id, agent)
    const child = spawn("bash", ["-c", script], {
      detached: true,
      stdio: ["ignore", fds.stdout, fds.stderr],
      env: { PATH }
    })
    closeSync(fds.stdout)
    closeSync(fds.stderr)
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    child.once("error", reject)
    child.once("spawn", () => resolve({ pid: track(child.pid!), exited }))
  })

/** The visible records of one agent, oldest first, across rotated (plain or gzip) files and current.log. */
const history = (runDir: string, id: string) => {
  const dir = `${runDir}/logs/${id}`
  const names = readdirSync(dir)
    .filter((n) => /^\d{16}\.log(\.gz)?$/.test(n))
    .toSorted()
  const texts = names.map((n) =>
    (n.endsWith(".gz") ? gunzipSync(readFileSync(`${dir}/${n}`)) : readFileSync(`${dir}/${n}`)).toString("utf8")
  )
  if (existsSync(`${dir}/current.log`)) texts.push(readFileSync(`${dir}/current.log`, "utf8"))
  return texts
    .flatMap((t) => t.split("\n").slice(0, -1))
    .map((l) => parseRecord(l)!)
    .filter((r) => r.flag !== "x")
}

const numbered = (runDir: string, id: string) =>
  history(runDir, id)
    .filter((r) => r.stream === "stdout" && !r.partial)
    .map((r) => Number(r.text.split(" ")[1]))

describe("FleetLogs", () => {
  it("keeps every line of a fast writer through dozens of rotations, compressed ones included", async () => {
    const runDir = tempDir()
    const agent = settings({ compress: true })
    const { logs } = open(runDir, {}, agent)
    const { exited } = await start(logs, "fast", 'seq -f "n %.0f" 1 100000; echo oops >&2', agent)
    await exited
    await logs.close(5000)
    const got = numbered(runDir, "fast")
    expect(got.length).toBe(100000)
    expect(got.every((n, i) => n === i + 1)).toBe(true)
    expect(
      history(runDir, "fast")
        .filter((r) => r.stream === "stderr")
        .map((r) => r.text)
    ).toEqual(["oops"])
    const files = readdirSync(`${runDir}/logs/fast`)
    expect(files.filter((n) => n.endsWith(".gz")).length).toBeGreaterThan(10)
    // Compressed, the plain copies are gone.
    expect(files.filter((n) => /^\d{16}\.log$/.test(n))).toEqual([])
  })

  it("a FIFO nobody writes to (a dead agent's) is not waited on", async () => {
    const runDir = tempDir()
    const first = open(runDir)
    const { exited } = await start(first.logs, "gone", "echo bye")
    await exited
    await first.logs.close(5000)
    const second = open(runDir)
    const t0 = Date.now()
    await second.logs.close(10_000)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(history(runDir, "gone").map((r) => r.text)).toEqual(["bye"])
  })

  it("holds the fleet within max_total, oldest rotated files first, sparing min_keep", async () => {
    const runDir = tempDir()
    const agent = settings({ maxSize: 16 * 1024, minKeep: 32 * 1024 })
    const maxTotal = 256 * 1024
    const { logs, notices } = open(runDir, { budget: { maxTotal, keepFree: { _tag: "Bytes", bytes: 0 } } }, agent)
    const quiet = await start(logs, "quiet", 'seq -f "quiet %.0f" 1 5000', agent)
    await quiet.exited
    const chatty = await start(logs, "chatty", 'seq -f "chatty %.0f .............................." 1 100000', agent)
    await chatty.exited
    await logs.close(5000)
    const bytesOf = (id: string) =>
      readdirSync(`${runDir}/logs/${id}`).reduce((sum, n) => sum + statSync(`${runDir}/logs/${id}/${n}`).size, 0)
    // One max_size for the current file, plus the last read from the pipe: a file rotates after
    // the write that took it past max_size, and under load one read is up to 64 KiB.
    expect(bytesOf("quiet") + bytesOf("chatty")).toBeLessThanOrEqual(maxTotal + agent.maxSize + 64 * 1024)
    expect(bytesOf("quiet")).toBeGreaterThanOrEqual(agent.minKeep)
    expect(logs.usage(["chatty"]).get("chatty")!.evictedBytes).toBeGreaterThan(0)
    expect(notices.some((n) => n.event === "log-evicted")).toBe(true)
    // What is left of the chatty one is its newest lines, contiguous up to the last.
    const got = numbered(runDir, "chatty")
    expect(got[got.length - 1]).toBe(100000)
    expect(got.every((n, i) => i === 0 || n === got[i - 1]! + 1)).toBe(true)
  })

  it("takes over a raw run/<id>.log into the records and empties it", async () => {
    const runDir = tempDir()
    writeFileSync(`${runDir}/old.log`, "one\ntwo\nno newline")
    const { logs, notices } = open(runDir)
    logs.absorbRaw("old")
    await logs.close(1000)
    expect(history(runDir, "old").map((r) => [r.flag, r.text.startsWith("the lines below") ? "note" : r.text])).toEqual(
      [
        ["m", "note"],
        ["o", "one"],
        ["o", "two"],
        ["o", "no newline"]
      ]
    )
    expect(statSync(`${runDir}/old.log`).size).toBe(0)
    expect(notices).toContainEqual(expect.objectContaining({ event: "log-taken-over", id: "old", bytes: 18 }))
  })
})
