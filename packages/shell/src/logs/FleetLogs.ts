/**
 * Every agent's log, as the launcher keeps them: the pipes agents write to, one AgentLogWriter
 * per agent, rotation, compression and the fleet-wide disk budget.
 *
 * Why FIFOs (s6-log's model) and not pipes to the launcher's children: an agent's stdout and
 * stderr are named pipes under `run/logs/<id>/` that the agent holds open read-write. A launcher
 * that dies (SIGKILL, OOM) takes only the read end it had opened: the agent never gets SIGPIPE or
 * EPIPE (its own descriptor still counts as a reader), and once the pipe buffer (64 KiB) is full
 * it blocks in write(2) until the next launcher opens the FIFOs by path and drains them. Nothing
 * it wrote is lost, and no extra process per agent (or per fleet) costs memory while all is well.
 *
 * The budget is kept in memory (sizes of every agent's files, updated on every write) so that it
 * is enforced as the logs grow, not on a timer: the oldest rotated files across the fleet go as
 * soon as the total passes `max_total`, or free space falls below `keep_free` (checked at each
 * rotation), but never below an agent's `min_keep` (core logBudget.ts decides).
 */
import { agentLogDir, fifoFile, parseRotatedName, rawLogFile, rotatedName } from "@agentctl/core/LogLayout"
import type { LogNotice } from "@agentctl/core/LogNotice"
import type { LogStream } from "@agentctl/core/LogRecord"
import { type FleetLogBudget, type ResolvedLogSettings } from "@agentctl/core/LogSettings"
import { type AgentLogUsage, planEviction } from "@agentctl/core/logBudget"
import * as fs from "node:fs"
import * as net from "node:net"
import { errorCode } from "../errno.ts"
import { ensureFifo, isFifo, makeFifos } from "../internal/fifo.ts"
import { launcherLogUsage, type LauncherLogCounters } from "@agentctl/core/logUsageOf"
import type { LogUsage } from "@agentctl/core/LogUsage"
import { usageSummaryFile, writeUsageSummary } from "./usageSummary.ts"
import { AgentLogWriter, type RotatedFile } from "./AgentLogWriter.ts"
import { type LogFileOps, nodeLogFileOps } from "./LogFileOps.ts"
import { absorbRawLog } from "./absorbRawLog.ts"
import { diskSpace, fileSizeOrZero } from "./diskFacts.ts"
import { lastSeqOfFile } from "./lastSeqOfFile.ts"

export interface FleetLogsOptions {
  readonly runDir: string
  readonly budget: FleetLogBudget
  /** Settings of an agent the launcher has not spawned yet (one it adopts). */
  readonly settingsFor: (id: string) => ResolvedLogSettings
  readonly compress: (src: string, dst: string) => Promise<{ readonly bytes: number }>
  readonly notify: (notice: LogNotice) => void
  readonly now?: () => number
  readonly ops?: LogFileOps
}

interface Rotated extends RotatedFile {
  compressing: boolean
}

interface AgentLogs {
  readonly id: string
  settings: ResolvedLogSettings
  writer: AgentLogWriter | null
  readonly rotated: Array<Rotated>
  evictedBytes: number
  readonly readers: Map<LogStream, net.Socket>
  /** Counts spawns: a reader that ends after a later spawn must be replaced (see attach). */
  generation: number
}

const STREAMS: ReadonlyArray<LogStream> = ["stdout", "stderr"]
/** What every pipe is read into (see attach). */
const readBuffer = Buffer.allocUnsafe(64 * 1024)

/** A stopping launcher drains the pipes until none has delivered anything for this long. */
const QUIET_MS = 100
/** How often run/logs/usage.json is rewritten while logs change. */
const SUMMARY_EVERY_MS = 1000
/** Re-plan the budget after this much growth past it, not after every chunk. */
const REPLAN_BYTES = 64 * 1024

export class FleetLogs {
  private readonly agents = new Map<string, AgentLogs>()
  private readonly ops: LogFileOps
  private readonly now: () => number
  private total = 0
  private plannedAt = 0
  private compressions: Promise<void> = Promise.resolve()
  private budget: FleetLogBudget
  private closing = false
  /** Chunks read from every pipe so far: how `close` sees that they went quiet. */
  private received = 0
  private summarized = 0
  /** Periodic chores failing now, each reported once per run of failures (a full disk fails them every second). */
  private readonly failing = new Set<string>()
  private readonly summaryTimer: ReturnType<typeof setInterval>

  private readonly options: FleetLogsOptions
  private settingsFor: (id: string) => ResolvedLogSettings

  private constructor(options: FleetLogsOptions) {
    this.options = options
    this.settingsFor = options.settingsFor
    this.ops = options.ops ?? nodeLogFileOps
    this.now = options.now ?? Date.now
    this.budget = options.budget
    this.summaryTimer = setInterval(() => {
      this.absorbGrownRaw()
      if (this.received === this.summarized) return
      this.summarized = this.received
      try {
        this.writeSummary()
        this.failing.delete("summary")
      } catch (error) {
        this.failedOnce("summary", "", usageSummaryFile(options.runDir), error)
      }
    }, SUMMARY_EVERY_MS).unref()
  }

  /**
   * Takes over the logs under `run/`: learns every agent's files, finishes what a killed launcher
   * left half done (a compression), starts draining the FIFOs of agents that still run, and
   * brings everything under the budget.
   */
  static open(options: FleetLogsOptions): FleetLogs {
    const logs = new FleetLogs(options)
    const root = `${options.runDir}/logs`
    fs.mkdirSync(root, { recursive: true })
    for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory()) logs.scan(entry.name)
    }
    for (const agent of logs.agents.values()) {
      for (const stream of STREAMS) logs.attach(agent, stream, false)
      for (const file of agent.rotated)
        if (agent.settings.compress && !file.name.endsWith(".gz")) logs.compress(agent, file)
    }
    logs.enforce()
    logs.writeSummary()
    return logs
  }

  /**
   * Makes the FIFOs of these agents that lack them, with one mkfifo(1) for all: at spawn, one
   * process per agent would cost `start --all` a fork and exec each.
   */
  prepare(ids: Iterable<string>): void {
    const missing: Array<string> = []
    for (const id of ids) {
      this.agent(id)
      for (const stream of STREAMS) {
        const path = fifoFile(this.options.runDir, id, stream)
        if (!isFifo(path)) missing.push(path)
      }
    }
    makeFifos(missing)
  }

  /** After a reload: the budget and every agent's settings as the files say now, applied at once. */
  reconfigure(budget: FleetLogBudget, settingsFor: (id: string) => ResolvedLogSettings): void {
    this.budget = budget
    this.settingsFor = settingsFor
    for (const agent of this.agents.values()) {
      agent.settings = settingsFor(agent.id)
      agent.writer?.configure(agent.settings)
    }
    this.enforce()
  }

  /**
   * Descriptors for a new instance's stdout and stderr (the caller closes them once spawned):
   * the FIFOs, opened read-write, with our read ends attached first, so that no byte is written
   * before someone reads.
   */
  outputFor(id: string, settings: ResolvedLogSettings): { readonly stdout: number; readonly stderr: number } {
    const agent = this.agent(id)
    agent.settings = settings
    agent.writer?.configure(settings)
    agent.generation++
    const fds: Array<number> = []
    try {
      for (const stream of STREAMS) {
        const path = fifoFile(this.options.runDir, id, stream)
        ensureFifo(path)
        fds.push(fs.openSync(path, fs.constants.O_RDWR))
        this.attach(agent, stream, true)
      }
    } catch (error) {
      for (const fd of fds) fs.closeSync(fd)
      throw error
    }
    return { stdout: fds[0]!, stderr: fds[1]! }
  }

  /**
   * Takes `run/<id>.log` (an agent started without a launcher, or an earlier version's log) into
   * the agent's records. Copy-then-truncate: an agent still writing there (it was started
   * daemonless and is adopted) may lose what it writes between the last read and the truncate.
   */
  absorbRaw(id: string): void {
    const agent = this.agent(id)
    const writer = this.writerOf(agent)
    const path = rawLogFile(this.options.runDir, id)
    const keepBytes = agent.settings.maxSize * (agent.settings.keep + 1)
    const outcome = absorbRawLog(path, keepBytes, writer)
    if (outcome === null) return
    // New records: the usage summary is due.
    this.received++
    this.options.notify({ event: "log-taken-over", id, from: path, ...outcome })
  }

  /**
   * An adopted agent that was started without a launcher keeps appending to run/<id>.log: take it
   * over again once it passes max_size (checked with the summary, once a second), so it is bound
   * by max_size plus a second's output rather than not at all.
   */
  private absorbGrownRaw(): void {
    for (const agent of this.agents.values()) {
      const path = rawLogFile(this.options.runDir, agent.id)
      const chore = `absorb ${agent.id}`
      try {
        if (fileSizeOrZero(path) >= agent.settings.maxSize) this.absorbRaw(agent.id)
        this.failing.delete(chore)
      } catch (error) {
        this.failedOnce(chore, agent.id, path, error)
      }
    }
  }

  /** `chore`: what failed, for whom (`summary`, `absorb <id>`); `id` empty for the fleet's own files. */
  private failedOnce(chore: string, id: string, path: string, error: unknown): void {
    if (this.failing.has(chore)) return
    this.failing.add(chore)
    this.options.notify({
      event: "log-failed",
      id,
      path,
      message: error instanceof Error ? error.message : String(error)
    })
  }

  /** Rotates every agent's current file (`logs --rotate`), then enforces the budget. */
  rotateAll(): void {
    for (const agent of this.agents.values()) agent.writer?.rotate()
    this.enforce()
  }

  /** Per agent, as rows report it (the launcher's RunDir.logUsage). */
  usage(ids: ReadonlyArray<string>): ReadonlyMap<string, LogUsage> {
    return new Map(ids.map((id) => [id, launcherLogUsage(this.counters(id))] as const))
  }

  /** What the launcher counted for this agent since it started, and its bytes on disk. */
  private counters(id: string): LauncherLogCounters {
    const agent = this.agents.get(id)
    const counted = agent?.writer?.counters
    return {
      bytes: agent === undefined ? 0 : agentBytes(agent),
      writtenBytes: counted?.writtenBytes ?? 0,
      droppedBytes: counted?.droppedBytes ?? 0,
      evictedBytes: agent?.evictedBytes ?? 0,
      cutLines: counted?.cutLines ?? 0
    }
  }

  /** run/logs/usage.json, for `ls` once this launcher is gone (usageSummary.ts). */
  private writeSummary(): void {
    writeUsageSummary(
      this.options.runDir,
      new Map([...this.agents.keys()].map((id) => [id, this.counters(id)] as const))
    )
  }

  /** Bytes of every agent's logs, as the budget counts them. */
  get totalBytes(): number {
    return this.total
  }

  /**
   * At shutdown, after the agents were stopped: their pipes end once the last writer is gone; give
   * them `graceMs` to drain, then write what is left and close.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true
    // Until the pipes go quiet, not until they end: Linux never reports hang-up on a FIFO that
    // has had no writer since we opened it (a dead agent's), so waiting for "end" would wait out
    // the whole grace for nothing.
    const deadline = Date.now() + graceMs
    for (let seen = -1; this.received !== seen && Date.now() < deadline;) {
      seen = this.received
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS))
    }
    for (const agent of this.agents.values()) {
      for (const socket of agent.readers.values()) socket.destroy()
      agent.readers.clear()
      agent.writer?.close()
    }
    await this.compressions
    clearInterval(this.summaryTimer)
    this.writeSummary()
  }

  private agent(id: string): AgentLogs {
    let agent = this.agents.get(id)
    if (agent === undefined) {
      agent = {
        id,
        settings: this.settingsFor(id),
        writer: null,
        rotated: [],
        evictedBytes: 0,
        readers: new Map(),
        generation: 0
      }
      this.agents.set(id, agent)
      fs.mkdirSync(agentLogDir(this.options.runDir, id), { recursive: true })
    }
    return agent
  }

  private writerOf(agent: AgentLogs): AgentLogWriter {
    if (agent.writer !== null) return agent.writer
    const dir = agentLogDir(this.options.runDir, agent.id)
    const newest = agent.rotated[agent.rotated.length - 1]
    const lastRotatedSeq =
      newest === undefined ? 0 : lastSeqOfFile(newest.path, parseRotatedName(newest.name)?.firstSeq ?? 0)
    const writer = new AgentLogWriter(
      dir,
      agent.settings,
      this.ops,
      this.now,
      {
        grew: (bytes) => this.grew(bytes),
        rotated: (file) => this.rotated(agent, file),
        writeFailed: (error, path) =>
          this.options.notify({
            event: "log-write-failed",
            id: agent.id,
            path,
            code: errorCode(error) ?? null,
            message: error instanceof Error ? error.message : String(error)
          }),
        writeResumed: (droppedBytes) => this.options.notify({ event: "log-write-resumed", id: agent.id, droppedBytes })
      },
      lastRotatedSeq
    )
    agent.writer = writer
    this.total += writer.currentBytes
    return writer
  }

  /** What a killed launcher left in `run/logs/<id>/`, learnt without reading any log. */
  private scan(id: string): void {
    const agent = this.agent(id)
    const dir = agentLogDir(this.options.runDir, id)
    const names = fs.readdirSync(dir)
    const present = new Set(names)
    for (const name of names) {
      const full = `${dir}/${name}`
      // A compression killed before its rename, or after it but before the plain file went.
      if (name.endsWith(".tmp")) {
        fs.rmSync(full, { force: true })
        continue
      }
      const parsed = parseRotatedName(name)
      if (parsed === null) continue
      if (!parsed.compressed && present.has(rotatedName(parsed.firstSeq, true))) {
        fs.rmSync(full, { force: true })
        continue
      }
      const stat = fs.statSync(full)
      agent.rotated.push({ path: full, name, bytes: stat.size, newestAt: stat.mtimeMs, compressing: false })
      this.total += stat.size
    }
    agent.rotated.sort((a, b) => (a.name < b.name ? -1 : 1))
    if (present.has("current.log")) this.writerOf(agent)
  }

  /**
   * Starts draining one FIFO unless it is drained already. At spawn (`spawning`) the FIFO is made
   * if missing; at open (adoption) only an existing one is read. A FIFO nobody writes to (a dead
   * agent's) just stays open and idle: Linux reports no hang-up until a writer came and went, so
   * the reader waits, and the agent's next instance writes into it.
   */
  private attach(agent: AgentLogs, stream: LogStream, spawning: boolean): void {
    if (agent.readers.has(stream)) return
    const path = fifoFile(this.options.runDir, agent.id, stream)
    if (!spawning && !isFifo(path)) return
    const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    const writer = this.writerOf(agent)
    // Every read lands in one buffer shared by all pipes: ingest is synchronous and copies what it
    // keeps, so the buffer is free again before the next read. Without it Node allocates 64 KiB
    // per read, which 100 chatty agents turn into the launcher's largest garbage.
    const socket = new net.Socket({
      fd,
      readable: true,
      writable: false,
      onread: {
        buffer: readBuffer,
        callback: (bytes: number, buffer: Uint8Array) => {
          this.received++
          writer.ingest(stream, Buffer.from(buffer.buffer, buffer.byteOffset, bytes))
          return true
        }
      }
    })
    const generation = agent.generation
    agent.readers.set(stream, socket)
    socket.on("end", () => writer.end(stream))
    socket.on("error", (error) =>
      this.options.notify({ event: "log-failed", id: agent.id, path, message: error.message })
    )
    socket.on("close", () => {
      if (agent.readers.get(stream) !== socket) return
      agent.readers.delete(stream)
      // The end-of-file may have been read just before a new instance opened the FIFO (which then
      // found this reader still registered and attached none): a spawn since means a writer may
      // be waiting, so read again. Without one, the new reader ends at once and this stops.
      if (agent.generation !== generation && !this.closing) this.attach(agent, stream, false)
    })
  }

  private grew(bytes: number): void {
    this.total += bytes
    if (this.total > this.budget.maxTotal && this.total - this.plannedAt >= REPLAN_BYTES) this.enforce()
  }

  private rotated(agent: AgentLogs, file: RotatedFile): void {
    // The bytes were counted as the current file's; they move, they are not new.
    const entry: Rotated = { ...file, compressing: false }
    agent.rotated.push(entry)
    if (agent.settings.compress) this.compress(agent, entry)
    this.enforce()
  }

  private compress(agent: AgentLogs, file: Rotated): void {
    file.compressing = true
    const parsed = parseRotatedName(file.name)
    if (parsed === null) return
    const name = rotatedName(parsed.firstSeq, true)
    const dst = `${agentLogDir(this.options.runDir, agent.id)}/${name}`
    this.compressions = this.compressions.then(async () => {
      if (!agent.rotated.includes(file)) return
      try {
        const { bytes } = await this.options.compress(file.path, dst)
        const index = agent.rotated.indexOf(file)
        if (index === -1) {
          // Evicted while being compressed.
          fs.rmSync(dst, { force: true })
          return
        }
        fs.rmSync(file.path, { force: true })
        agent.rotated[index] = { path: dst, name, bytes, newestAt: file.newestAt, compressing: false }
        this.total += bytes - file.bytes
      } catch (error) {
        file.compressing = false
        this.options.notify({
          event: "log-failed",
          id: agent.id,
          path: file.path,
          message: `cannot compress: ${error instanceof Error ? error.message : String(error)}`
        })
      }
    })
  }

  /** Applies logBudget's plan: `keep` per agent, then max_total and keep_free across the fleet. */
  private enforce(): void {
    this.plannedAt = this.total
    const usages: Array<AgentLogUsage> = [...this.agents.values()].map((a) => ({
      id: a.id,
      currentBytes: a.writer?.currentBytes ?? 0,
      rotated: a.rotated,
      keep: a.settings.keep,
      minKeep: a.settings.minKeep
    }))
    for (const eviction of planEviction(usages, this.budget, diskSpace(this.options.runDir))) {
      const agent = this.agents.get(eviction.id)
      const index = agent?.rotated.findIndex((f) => f.name === eviction.name) ?? -1
      if (agent === undefined || index === -1) continue
      const [file] = agent.rotated.splice(index, 1)
      if (file === undefined) continue
      fs.rmSync(file.path, { force: true })
      this.total -= file.bytes
      if (eviction.reason === "keep") continue
      agent.evictedBytes += file.bytes
      this.options.notify({
        event: "log-evicted",
        id: agent.id,
        file: file.path,
        bytes: file.bytes,
        reason: eviction.reason
      })
    }
    this.plannedAt = this.total
  }
}

const agentBytes = (agent: AgentLogs): number =>
  (agent.writer?.currentBytes ?? 0) + agent.rotated.reduce((sum, f) => sum + f.bytes, 0)
