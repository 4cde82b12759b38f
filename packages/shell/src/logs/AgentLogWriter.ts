/**
 * One agent's log as the launcher writes it: bytes from its stdout and stderr pipes in, records
 * (core LogRecord.ts) out to `run/logs/<id>/current.log`, rotated at `max_size` by renaming it to
 * `<first seq>.log`. The whole contract of "lossless" lives here:
 *
 * - A chunk is written, in one write(2), before the next is read; nothing waits in memory.
 * - A line whose newline has not arrived is written at once as a partial (`p`/`q`) record. When it
 *   completes, the whole line is written and only then the partial's flag is rewritten to `x`:
 *   killed in between, the next launcher finds both, keeps the line and supersedes the partial
 *   (`recover`). Killed before, it finds the partial and carries on from it.
 * - A rotation carries a partial over into the new file, so no line is ever split across files.
 * - A write the disk refuses (ENOSPC, EDQUOT, EIO) drops that chunk and counts it; a torn write is
 *   cut back to the last whole record. The pipe keeps being drained, so the agent never stalls,
 *   and the first write that succeeds again notes the gap in the log itself (an `m` record).
 */
import { flagFor, flagOffset, type LogStream, parseRecord, recordPrefix } from "@agentctl/core/LogRecord"
import { rotatedName } from "@agentctl/core/LogLayout"
import { errorCode } from "../errno.ts"
import type { LogFileOps } from "./LogFileOps.ts"

export interface WriterSettings {
  /** Rotate once the current file reaches this many bytes. */
  readonly maxSize: number
  /** Longest line kept whole; the rest of a longer line is counted in `cutBytes`. */
  readonly maxLine: number
}

export interface LogCounters {
  /** Bytes the agent wrote (its own bytes, newlines included). */
  writtenBytes: number
  /** Bytes of the agent's output not stored because a write failed (disk full). */
  droppedBytes: number
  /** Lines longer than max_line, cut there. */
  cutLines: number
  /** Bytes beyond max_line of those lines. */
  cutBytes: number
}

export interface RotatedFile {
  readonly path: string
  readonly name: string
  readonly bytes: number
  /** Arrival time of its newest record. */
  readonly newestAt: number
}

export interface WriterHooks {
  /** The current file grew by `bytes` (records, not the agent's bytes). */
  readonly grew: (bytes: number) => void
  readonly rotated: (file: RotatedFile) => void
  /** A write failed; called once per failure run, not per chunk. */
  readonly writeFailed: (error: unknown, path: string) => void
  /** Writes succeed again after `droppedBytes` were dropped. */
  readonly writeResumed: (droppedBytes: number) => void
}

interface Partial {
  /** Its bytes as a latin1 string (one char per byte, so nothing is lost or re-encoded). */
  readonly text: string
  /** Where its flag byte is in the current file, to supersede it in place. */
  readonly flagAt: number
}

const NEWLINE = 0x0a
const STREAMS: ReadonlyArray<LogStream> = ["stdout", "stderr"]
/** How far back from the end of current.log recovery looks for the last seq and in-flight partials. */
const recoveryWindow = (settings: WriterSettings) => settings.maxLine * 2 + 64 * 1024

export class AgentLogWriter {
  readonly counters: LogCounters = { writtenBytes: 0, droppedBytes: 0, cutLines: 0, cutBytes: 0 }
  private fd: number | null = null
  private position = 0
  private firstSeq: number
  private nextSeq: number
  private lastAt = 0
  private readonly partial: Record<LogStream, Partial | null> = { stdout: null, stderr: null }
  /** Dropping the rest of a line: it was cut, or its start was lost to a failed write. */
  private readonly discarding: Record<LogStream, "cut" | "dropped" | null> = { stdout: null, stderr: null }
  /** Bytes dropped since writes started failing; null while they succeed. */
  private failing: number | null = null

  readonly dir: string
  private settings: WriterSettings
  private readonly ops: LogFileOps
  private readonly now: () => number
  private readonly hooks: WriterHooks

  /** `lastRotatedSeq`: the last seq already in a rotated file (0 for none); current.log continues after it. */
  constructor(
    dir: string,
    settings: WriterSettings,
    ops: LogFileOps,
    now: () => number,
    hooks: WriterHooks,
    lastRotatedSeq: number
  ) {
    this.dir = dir
    this.settings = settings
    this.ops = ops
    this.now = now
    this.hooks = hooks
    this.nextSeq = lastRotatedSeq + 1
    this.firstSeq = this.nextSeq
    this.recover()
  }

  get currentPath(): string {
    return `${this.dir}/current.log`
  }

  /** Bytes in current.log. */
  get currentBytes(): number {
    return this.position
  }

  /** Settings are read at every spawn; a reload may change them for the next chunk. */
  configure(settings: WriterSettings): void {
    this.settings = settings
  }

  /** A chunk read from one of the agent's pipes. */
  ingest(stream: LogStream, chunk: Buffer): void {
    this.counters.writtenBytes += chunk.length
    const at = this.tick()
    const pending = this.partial[stream]
    const maxLine = this.settings.maxLine
    // Assembled as a latin1 string (one char per byte, so bytes go through unchanged): the launcher
    // runs V8 without its optimizing compiler (tuning.ts), where string building is native and
    // per-line Buffer calls are not, 3× faster than copying into a Buffer (README, Figures).
    const text = chunk.toString("latin1")
    // recordPrefix(seq, at, "o") is `${seq}${lineTail}`: the common case builds one string less.
    const lineTail = ` ${at} ${flagFor(stream, "line")} `
    let out = ""
    if (this.failing !== null && this.failing > 0) {
      out += `${recordPrefix(this.nextSeq++, at, "m")}agentctl dropped ${this.failing} bytes of this agent's output: the log could not be written\n`
    }
    let head: string | null = pending?.text ?? null
    let next: { text: string; offset: number } | null = null
    for (let pos = 0; pos < text.length;) {
      const nl = text.indexOf("\n", pos)
      const end = nl === -1 ? text.length : nl
      const start = pos
      pos = nl === -1 ? text.length : nl + 1
      const discarding = this.discarding[stream]
      if (discarding !== null) {
        if (discarding === "cut") this.counters.cutBytes += end - start
        else this.counters.droppedBytes += end - start
        if (nl !== -1) this.discarding[stream] = null
        continue
      }
      const length = (head?.length ?? 0) + end - start
      if (nl !== -1 && length <= maxLine) {
        // The common case, kept to one concatenation: the line with its newline.
        out += this.nextSeq++ + lineTail + (head === null ? text.slice(start, pos) : head + text.slice(start, pos))
      } else if (length > maxLine) {
        const whole = (head ?? "") + text.slice(start, Math.min(end, start + maxLine))
        out += `${recordPrefix(this.nextSeq++, at, flagFor(stream, "cut"))}${whole.slice(0, maxLine)}\n`
        this.counters.cutLines++
        this.counters.cutBytes += length - maxLine
        this.discarding[stream] = nl === -1 ? "cut" : null
      } else {
        const partial = (head ?? "") + text.slice(start, end)
        const offset = out.length + flagOffset(this.nextSeq, at)
        out += `${recordPrefix(this.nextSeq++, at, flagFor(stream, "partial"))}${partial}\n`
        next = { text: partial, offset }
      }
      head = null
    }
    const start = this.position
    if (!this.append(Buffer.from(out, "latin1"), chunk.length)) {
      // Lost: the partial on disk (if any) stays as it was, and the rest of its line is discarded,
      // so no line is stored with a hole in it.
      this.discarding[stream] = chunk[chunk.length - 1] === NEWLINE ? null : "dropped"
      if (pending !== null) {
        this.supersede([pending.flagAt], "cut")
        this.partial[stream] = null
      }
      return
    }
    this.partial[stream] = next === null ? null : { text: next.text, flagAt: start + next.offset }
    // Only now that what replaces it is on disk (see the top of the file).
    if (pending !== null) this.supersede([pending.flagAt], "x")
    if (this.position >= this.settings.maxSize) this.rotate()
  }

  /**
   * Whole lines taken from elsewhere (a raw `run/<id>.log`), stored as stdout lines that arrived
   * at `at`, after a note saying where they came from. Not through `ingest`: they must not mix
   * with a live partial line of the agent's stdout.
   */
  writeLines(lines: ReadonlyArray<Buffer>, at: number, note: string | null): boolean {
    this.lastAt = Math.max(this.lastAt, Math.floor(at))
    let parts: Array<Buffer> = []
    let bytes = 0
    const add = (flag: "m" | "o" | "O", text: Buffer) => {
      const prefix = Buffer.from(recordPrefix(this.nextSeq++, this.lastAt, flag))
      parts.push(prefix, text, Buffer.of(NEWLINE))
      bytes += prefix.length + text.length + 1
    }
    /** Written in pieces that end where the file is due to rotate, so no file passes max_size by much. */
    const flush = (): boolean => {
      const ok = this.append(Buffer.concat(parts, bytes), 0)
      parts = []
      bytes = 0
      if (ok && this.position >= this.settings.maxSize) this.rotate()
      return ok
    }
    if (note !== null) add("m", Buffer.from(note))
    for (const line of lines) {
      const cut = line.length > this.settings.maxLine
      if (cut) {
        this.counters.cutLines++
        this.counters.cutBytes += line.length - this.settings.maxLine
      }
      add(cut ? "O" : "o", cut ? line.subarray(0, this.settings.maxLine) : line)
      if (this.position + bytes >= this.settings.maxSize && !flush()) return false
    }
    return bytes === 0 || flush()
  }

  /** The pipe closed: a last line without a newline is a line. */
  end(stream: LogStream): void {
    const pending = this.partial[stream]
    this.discarding[stream] = null
    if (pending === null) return
    const at = this.tick()
    const record = Buffer.from(
      `${recordPrefix(this.nextSeq++, at, flagFor(stream, "line"))}${pending.text}\n`,
      "latin1"
    )
    this.partial[stream] = null
    if (this.append(record, 0)) this.supersede([pending.flagAt], "x")
  }

  /** Rotates now if anything is in current.log (`logs --rotate`, and at every max_size). */
  rotate(): void {
    if (this.position === 0) return
    const carried = STREAMS.flatMap((stream) => {
      const p = this.partial[stream]
      return p === null ? [] : [{ stream, text: p.text, flagAt: p.flagAt }]
    })
    this.supersede(
      carried.map((c) => c.flagAt),
      "x"
    )
    const bytes = this.position
    const name = rotatedName(this.firstSeq, false)
    const path = `${this.dir}/${name}`
    this.closeFile()
    this.ops.rename(this.currentPath, path)
    this.firstSeq = this.nextSeq
    this.position = 0
    this.hooks.rotated({ path, name, bytes, newestAt: this.lastAt })
    for (const c of carried) {
      this.partial[c.stream] = null
      const at = this.lastAt
      const start = this.position
      const record = Buffer.from(`${recordPrefix(this.nextSeq, at, flagFor(c.stream, "partial"))}${c.text}\n`, "latin1")
      const flagAt = start + flagOffset(this.nextSeq, at)
      this.nextSeq++
      if (this.append(record, 0)) this.partial[c.stream] = { text: c.text, flagAt }
      // Its start is lost to a failed write: drop the rest of the line rather than store a torn one.
      else this.discarding[c.stream] = "dropped"
    }
  }

  close(): void {
    for (const stream of STREAMS) this.end(stream)
    this.closeFile()
  }

  /** Arrival times never go backwards, whatever the wall clock does. */
  private tick(): number {
    this.lastAt = Math.max(this.lastAt, this.now())
    return this.lastAt
  }

  private openFile(): number {
    if (this.fd === null) {
      this.fd = this.ops.openForWrite(this.currentPath)
      this.position = this.ops.size(this.fd)
    }
    return this.fd
  }

  private closeFile(): void {
    if (this.fd !== null) this.ops.close(this.fd)
    this.fd = null
  }

  /** Writes `bytes` at the end; on failure cuts any torn tail, counts `agentBytes` as dropped. */
  private append(bytes: Buffer, agentBytes: number): boolean {
    if (bytes.length === 0) return true
    let fd: number | null = null
    try {
      fd = this.openFile()
      let done = 0
      while (done < bytes.length) {
        const n = this.ops.write(fd, bytes.subarray(done), this.position + done)
        if (n <= 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" })
        done += n
      }
    } catch (error) {
      if (fd !== null) this.cutBack(fd)
      if (this.failing === null) this.hooks.writeFailed(error, this.currentPath)
      this.failing = (this.failing ?? 0) + agentBytes
      this.counters.droppedBytes += agentBytes
      if (!isStorageFull(error) && fd !== null) this.closeFile()
      return false
    }
    this.position += bytes.length
    this.hooks.grew(bytes.length)
    if (this.failing !== null) {
      this.hooks.writeResumed(this.failing)
      this.failing = null
    }
    return true
  }

  /** After a torn write: back to the last whole record, so no reader ever sees half of one. */
  private cutBack(fd: number): void {
    try {
      this.ops.truncate(fd, this.position)
    } catch (error) {
      // Shrinking a file needs no space; if even that fails the file is unusable: reopen next time.
      this.hooks.writeFailed(error, this.currentPath)
      this.closeFile()
    }
  }

  /** Rewrites records' flags in place: `x` supersedes, `cut` turns a partial into a cut line. */
  private supersede(flagPositions: ReadonlyArray<number>, as: "x" | "cut"): void {
    if (flagPositions.length === 0 || this.fd === null) return
    for (const at of flagPositions) {
      const flag = as === "x" ? "x" : this.cutFlagAt(at)
      if (flag === null) continue
      try {
        this.ops.write(this.fd, Buffer.from(flag), at)
      } catch (error) {
        // Overwriting a byte already on disk allocates nothing; if it fails, the reader shows the
        // partial beside the whole line (a duplicate prefix, never a loss).
        this.hooks.writeFailed(error, this.currentPath)
      }
    }
  }

  /** The cut flag for the partial whose flag byte is at `at`, from which stream it was. */
  private cutFlagAt(at: number): "O" | "E" | null {
    for (const stream of STREAMS) if (this.partial[stream]?.flagAt === at) return flagFor(stream, "cut") as "O" | "E"
    return null
  }

  /**
   * A launcher killed while writing left current.log as it was: learn its first and last seq,
   * carry on from its in-flight partials, and supersede any partial whose whole line was
   * written just before the kill.
   */
  private recover(): void {
    const tail = this.ops.readTail(this.currentPath, recoveryWindow(this.settings))
    if (tail === null || tail.length === 0) return
    const fd = this.openFile()
    const windowStart = this.position - tail.length
    // The window may begin mid-record: skip to the first whole one unless it starts the file.
    let offset = windowStart === 0 ? 0 : tail.indexOf(NEWLINE) + 1
    // Records are shorter than the window, so one always ends inside it; if not, touch nothing.
    if (windowStart > 0 && offset === 0) return
    const last: Record<LogStream, { readonly flag: string; readonly flagAt: number; readonly text: string } | null> = {
      stdout: null,
      stderr: null
    }
    const stale: Array<number> = []
    let firstSeen: number | null = null
    for (let nl = tail.indexOf(NEWLINE, offset); nl !== -1; nl = tail.indexOf(NEWLINE, offset)) {
      // latin1: the text is kept byte for byte, as ingest holds it.
      const record = parseRecord(tail.subarray(offset, nl).toString("latin1"))
      if (record !== null && record.seq !== null && record.at !== null) {
        firstSeen ??= record.seq
        this.nextSeq = Math.max(this.nextSeq, record.seq + 1)
        this.lastAt = Math.max(this.lastAt, record.at)
        if (record.stream !== "agentctl" && record.flag !== "x") {
          const previous = last[record.stream]
          if (previous !== null && isPartialFlag(previous.flag)) stale.push(previous.flagAt)
          const flagAt = windowStart + offset + flagOffset(record.seq, record.at)
          last[record.stream] = { flag: record.flag, flagAt, text: record.text }
        }
      }
      offset = nl + 1
    }
    // A record torn by a kill in the middle of write(2) is cut off: no reader ever sees half of one.
    const wholeEnd = windowStart + offset
    if (wholeEnd < this.position) {
      this.ops.truncate(fd, wholeEnd)
      this.position = wholeEnd
    }
    this.firstSeq = windowStart === 0 ? (firstSeen ?? this.nextSeq) : this.firstSeqOfFile()
    for (const stream of STREAMS) {
      const l = last[stream]
      if (l !== null && isPartialFlag(l.flag)) this.partial[stream] = { text: l.text, flagAt: l.flagAt }
    }
    for (const at of stale) this.ops.write(fd, Buffer.from("x"), at)
  }

  /** The seq of current.log's first record, read from its first bytes. */
  private firstSeqOfFile(): number {
    const head = this.ops.readHead(this.currentPath, 32)
    const seq = head === null ? Number.NaN : Number(head.subarray(0, head.indexOf(0x20)).toString("latin1"))
    return Number.isSafeInteger(seq) && seq > 0 ? seq : this.nextSeq
  }
}

const isPartialFlag = (flag: string): boolean => flag === "p" || flag === "q"

const isStorageFull = (error: unknown): boolean => {
  const code = errorCode(error)
  return code === "ENOSPC" || code === "EDQUOT"
}
