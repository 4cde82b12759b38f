/**
 * An agent's log files as one history, read backwards from the newest record so that a tail, a
 * `since` or an `afterSeq` costs what it returns, not what the files hold.
 *
 * History order: rotated files by name (their first seq), then current.log. The raw
 * `run/<id>.log` has no seq or time, so its place comes from its mtime: newer than current.log's
 * (or, without one, the newest rotated file's), it is the output of an agent started without a
 * launcher after the records were written, and comes last; otherwise it is an older log taken
 * over by the records, and comes first.
 */
import type { LogQuery } from "@agentctl/core/AgentLogs"
import { FileError } from "@agentctl/core/Errors"
import { agentLogDir, currentLogFile, parseRotatedName, rawLogFile } from "@agentctl/core/LogLayout"
import { type LogRecord, parseRecord, rawRecord, type RecordFlag } from "@agentctl/core/LogRecord"
import type { FileHandle } from "node:fs/promises"
import { open, readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import { errorCode } from "../errno.ts"
import { readAt } from "./readAt.ts"
import { type GzMember, readIndex, readMember, readWhole, SegmentCorrupt } from "./gzSegment.ts"

export const CHUNK = 64 * 1024
const NEWLINE = 0x0a

/** A failed fs call, with the file it was about: becomes core's FileError at the service's edge. */
export class PathFailure extends Error {
  readonly path: string
  readonly operation: string
  readonly failure: unknown
  constructor(path: string, operation: string, failure: unknown) {
    super(`${operation} ${path}`)
    this.path = path
    this.operation = operation
    this.failure = failure
  }
}

export const onPath = async <A>(path: string, operation: string, f: () => Promise<A>): Promise<A> => {
  try {
    return await f()
  } catch (error) {
    if (error instanceof PathFailure || error instanceof SegmentCorrupt) throw error
    throw new PathFailure(path, operation, error)
  }
}

export const toFileError =
  (path: string) =>
  (error: unknown): FileError => {
    if (error instanceof PathFailure) return FileError.fromCause(error.path, error.operation, error.failure)
    if (error instanceof SegmentCorrupt) {
      return FileError.because(error.file, "read", { code: null, detail: error.message, cause: error })
    }
    return FileError.fromCause(path, "read", error)
  }

const missingAsNull = <A>(promise: Promise<A>): Promise<A | null> =>
  promise.catch((error: unknown) => {
    if (errorCode(error) === "ENOENT") return null
    throw error
  })

export interface Source {
  readonly kind: "current" | "rotated" | "raw"
  readonly path: string
  readonly compressed: boolean
  /** A structured file's seqs are below this (the next file's first seq); null when unknown. */
  readonly seqEnd: number | null
  /** An upper bound of the file's record times: nothing is appended after its last write. */
  readonly mtimeMs: number
  readonly bytes: number
}

export interface OpenFile {
  readonly handle: FileHandle
  readonly ino: number
  readonly dev: number
  readonly size: number
}

export interface Snapshot {
  /** Oldest first. */
  readonly sources: ReadonlyArray<Source>
  /** current.log, held open so a rotation after the snapshot cannot swap it underneath. */
  readonly current: OpenFile | null
  readonly raw: { readonly size: number; readonly ino: number; readonly dev: number } | null
}

const openFile = async (path: string): Promise<OpenFile | null> => {
  const handle = await missingAsNull(open(path, "r"))
  if (handle === null) return null
  const info = await handle.stat()
  return { handle, ino: info.ino, dev: info.dev, size: info.size }
}

/**
 * The agent's files at one moment: current.log opened, the folder listed, then current.log's name
 * checked to still be the file opened; a rotation in between starts over, so the listing holds
 * every file older than the one held open.
 */
export const snapshot = (runDir: string, id: string): Promise<Snapshot> => {
  const dir = agentLogDir(runDir, id)
  const currentPath = currentLogFile(runDir, id)
  const rawPath = rawLogFile(runDir, id)
  return onPath(dir, "read", async () => {
    for (let attempt = 0; ; attempt++) {
      const current = await onPath(currentPath, "read", () => openFile(currentPath))
      const names = (await onPath(dir, "list", () => missingAsNull(readdir(dir)))) ?? []
      const check = await onPath(currentPath, "stat", () => missingAsNull(stat(currentPath)))
      const same = current === null ? check === null : check !== null && check.ino === current.ino
      if (!same && attempt < 10) {
        await current?.handle.close()
        continue
      }
      const rotated = new Map<number, { name: string; compressed: boolean }>()
      for (const name of names) {
        const parsed = parseRotatedName(name)
        // Mid-compression both `<seq>.log` and `<seq>.log.gz` exist, whole: either will do.
        if (parsed !== null && !(rotated.get(parsed.firstSeq)?.compressed ?? false)) {
          rotated.set(parsed.firstSeq, { name, compressed: parsed.compressed })
        }
      }
      const firstSeqs = [...rotated.keys()].toSorted((a, b) => a - b)
      const rotatedSources = (
        await Promise.all(
          firstSeqs.map(async (firstSeq, i): Promise<Source | null> => {
            const { name, compressed } = rotated.get(firstSeq)!
            const path = join(dir, name)
            // Removed since the listing (compressed, or dropped by retention): stat finds nothing.
            const info = await onPath(path, "stat", () => missingAsNull(stat(path)))
            return info === null
              ? null
              : {
                  kind: "rotated",
                  path,
                  compressed,
                  seqEnd: firstSeqs[i + 1] ?? null,
                  mtimeMs: info.mtimeMs,
                  bytes: info.size
                }
          })
        )
      ).filter((s): s is Source => s !== null)
      const sources: Array<Source> = [...rotatedSources]
      if (current !== null) {
        const info = await current.handle.stat()
        sources.push({
          kind: "current",
          path: currentPath,
          compressed: false,
          seqEnd: null,
          mtimeMs: info.mtimeMs,
          bytes: current.size
        })
      }
      const rawInfo = await onPath(rawPath, "stat", () => missingAsNull(stat(rawPath)))
      if (rawInfo !== null) {
        const raw: Source = {
          kind: "raw",
          path: rawPath,
          compressed: false,
          seqEnd: null,
          mtimeMs: rawInfo.mtimeMs,
          bytes: rawInfo.size
        }
        const newest = sources.at(-1)
        if (newest === undefined || rawInfo.mtimeMs > newest.mtimeMs) sources.push(raw)
        else sources.unshift(raw)
      }
      return {
        sources,
        current,
        raw: rawInfo === null ? null : { size: rawInfo.size, ino: rawInfo.ino, dev: rawInfo.dev }
      }
    }
  })
}

/** Lines of `bytes` without the final newline's empty tail. */
export const splitLines = (bytes: Buffer): Array<string> => {
  if (bytes.length === 0) return []
  const body = bytes[bytes.length - 1] === NEWLINE ? bytes.subarray(0, -1) : bytes
  return body.toString("utf8").split("\n")
}

/** The lines of the first `size` bytes of a plain file, in batches from the end (each batch oldest first). */
async function* backwardsPlain(handle: FileHandle, size: number): AsyncGenerator<Array<string>> {
  let position = size
  let carry: Buffer = Buffer.alloc(0)
  let last = true
  while (position > 0) {
    const length = Math.min(CHUNK, position)
    position -= length
    const chunk = await readAt(handle, length, position)
    let data = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk
    if (last) {
      // The file's final newline ends its last line; it does not start another.
      if (data[data.length - 1] === NEWLINE) data = data.subarray(0, -1)
      last = false
    }
    const nl = data.indexOf(NEWLINE)
    if (nl < 0) {
      carry = data
      continue
    }
    carry = Buffer.from(data.subarray(0, nl))
    yield data
      .subarray(nl + 1)
      .toString("utf8")
      .split("\n")
  }
  if (size > 0) yield [carry.toString("utf8")]
}

/** A compressed file's lines from the end, a member at a time; a member `skip` says cannot match is not read. */
async function* backwardsGz(
  handle: FileHandle,
  size: number,
  file: string,
  skip: (member: GzMember) => boolean
): AsyncGenerator<Array<string>> {
  const index = await readIndex(handle, size, file)
  if (index === null) {
    yield splitLines(await readWhole(handle, size, file))
    return
  }
  for (let i = index.members.length - 1; i >= 0; i--) {
    const member = index.members[i]!
    if (!skip(member)) yield splitLines(await readMember(handle, member, file))
  }
}

const stripCr = (line: string): string => (line.endsWith("\r") ? line.slice(0, -1) : line)

/** A record as readers show it: the flag dropped (its meaning is in stream/cut/partial). */
export const shown = (r: LogRecord): LogRecord => ({
  seq: r.seq,
  at: r.at,
  stream: r.stream,
  text: r.text,
  cut: r.cut,
  partial: r.partial
})

export type Parsed = (LogRecord & { readonly flag: RecordFlag }) | { readonly malformed: LogRecord }

export const parseLine = (line: string): Parsed => parseRecord(line) ?? { malformed: rawRecord(line) }

/** Whether a record of unknown seq and time (a raw or malformed line) can match the query. */
export const unknownTimeMatches = (query: LogQuery): boolean =>
  query.since === null && query.until === null && query.afterSeq === null

export interface History {
  readonly records: ReadonlyArray<LogRecord>
  /** The seq of the newest structured record, whatever the filters; null when there is none. */
  readonly newestSeq: number | null
}

const tryOpen = async (path: string, compressed: boolean) => {
  const handle = await onPath(path, "read", () => missingAsNull(open(path, "r")))
  return handle === null ? null : { handle, size: (await handle.stat()).size, path, compressed }
}

/** Opens a rotated file; one compressed since the listing is read under its new name. */
const openSource = async (
  source: Source
): Promise<{ handle: FileHandle; size: number; path: string; compressed: boolean } | null> => {
  const opened = await tryOpen(source.path, source.compressed)
  if (opened !== null || source.kind !== "rotated" || source.compressed) return opened
  return tryOpen(`${source.path}.gz`, true)
}

/** A plain record file's first record's time (from its first 4 KiB), or null. */
const firstAtOf = async (handle: FileHandle, size: number): Promise<number | null> => {
  const head = await readAt(handle, Math.min(size, 4096), 0)
  const end = head.indexOf(NEWLINE)
  return parseRecord(head.toString("utf8", 0, end < 0 ? head.length : end))?.at ?? null
}

/**
 * The records `query` selects, oldest first. `includePartial` says whether an in-flight partial
 * line is shown (as its stream's newest record only: reading backwards, a partial met after a
 * newer record of its stream was completed meanwhile, and that record is its line).
 */
export const readHistory = async (snap: Snapshot, query: LogQuery, includePartial: boolean): Promise<History> => {
  const want = query.tail ?? Number.POSITIVE_INFINITY
  const out: Array<LogRecord> = []
  const seen = new Set<string>()
  let newestSeq: number | null = null
  const unknownOk = unknownTimeMatches(query)
  const full = () => out.length >= want && newestSeq !== null
  const take = (record: LogRecord) => {
    if (out.length < want && (query.stream === null || record.stream === query.stream)) out.push(record)
  }

  outer: for (let i = snap.sources.length - 1; i >= 0; i--) {
    const source = snap.sources[i]!
    if (out.length >= want && (newestSeq !== null || source.kind === "raw")) break
    if (source.kind === "raw") {
      if (!unknownOk || out.length >= want) continue
      const handle = await onPath(source.path, "read", () => missingAsNull(open(source.path, "r")))
      if (handle === null) continue
      try {
        const size = snap.raw?.size ?? (await handle.stat()).size
        for await (const batch of backwardsPlain(handle, size)) {
          for (let j = batch.length - 1; j >= 0; j--) {
            take(rawRecord(stripCr(batch[j]!)))
            if (out.length >= want) continue outer
          }
        }
      } finally {
        await handle.close()
      }
      continue
    }
    // Files wholly before what is asked for end the walk: everything older is older still.
    if (newestSeq !== null || out.length >= want) {
      if (query.afterSeq !== null && source.seqEnd !== null && source.seqEnd - 1 <= query.afterSeq) break
      if (query.since !== null && source.mtimeMs < query.since) break
    }
    const opened =
      source.kind === "current" && snap.current !== null
        ? { handle: snap.current.handle, size: snap.current.size, path: source.path, compressed: false }
        : await openSource(source)
    if (opened === null) continue
    let stop = false
    try {
      // true: nothing older can match, the walk ends here.
      stop = await onPath(opened.path, "read", async (): Promise<boolean> => {
        if (query.until !== null && !opened.compressed && newestSeq !== null) {
          const firstAt = await firstAtOf(opened.handle, opened.size)
          if (firstAt !== null && firstAt > query.until) return false
        }
        const skip = (m: GzMember) => newestSeq !== null && query.until !== null && m.firstAt > query.until
        const batches = opened.compressed
          ? backwardsGz(opened.handle, opened.size, opened.path, skip)
          : backwardsPlain(opened.handle, opened.size)
        for await (const batch of batches) {
          for (let j = batch.length - 1; j >= 0; j--) {
            const parsed = parseLine(batch[j]!)
            if ("malformed" in parsed) {
              if (unknownOk) take(parsed.malformed)
            } else {
              newestSeq ??= parsed.seq
              if (parsed.flag === "x") continue
              if (query.afterSeq !== null && parsed.seq! <= query.afterSeq) return true
              if (query.since !== null && parsed.at! < query.since) return true
              const newerOfStream = seen.has(parsed.stream)
              seen.add(parsed.stream)
              if (parsed.partial && (newerOfStream || !includePartial)) continue
              if (query.until !== null && parsed.at! > query.until) continue
              take(shown(parsed))
            }
            if (full()) return true
          }
        }
        return false
      })
    } finally {
      if (opened.handle !== snap.current?.handle) await opened.handle.close()
    }
    if (stop) break
  }
  return { records: out.toReversed(), newestSeq }
}
