/**
 * Following an agent's records: current.log polled from where the history read stopped (the
 * same open handle, so nothing is lost between the two), across rotations, and the raw
 * run/<id>.log beside it (an agent started without a launcher writes there).
 *
 * A rotation renames current.log away and creates a new one: when the name points at another
 * inode, the rest of the old file is read through the handle still open on it (a compression
 * that deletes it meanwhile does not matter), then the new current.log from offset 0. Seq makes
 * it exact: a record at or below the last seq seen is not shown again, and a record beyond the
 * next one expected means files were missed (rotated twice between two polls): they are read from
 * the rotated files before it.
 */
import type { LogQuery } from "@agentctl/core/AgentLogs"
import type { FileError } from "@agentctl/core/Errors"
import { currentLogFile, rawLogFile } from "@agentctl/core/LogLayout"
import { type LogRecord, rawRecord } from "@agentctl/core/LogRecord"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { stat } from "node:fs/promises"
import { errorCode } from "../errno.ts"
import { FOLLOW_INTERVAL, followFrom } from "./logLines.ts"
import {
  type OpenFile,
  onPath,
  parseLine,
  readHistory,
  shown,
  snapshot,
  type Snapshot,
  toFileError,
  unknownTimeMatches
} from "./logHistory.ts"

/** At most this much is read per poll, so a burst is emitted in pieces rather than all in memory. */
const MAX_READ = 1024 * 1024
const NEWLINE = 0x0a

const attempt = <A>(path: string, f: () => Promise<A>): Effect.Effect<A, FileError> =>
  Effect.tryPromise({ try: f, catch: toFileError(path) })

const passes = (query: LogQuery, record: LogRecord): boolean =>
  (query.stream === null || record.stream === query.stream) &&
  (query.since === null || (record.at !== null && record.at >= query.since)) &&
  (query.until === null || (record.at !== null && record.at <= query.until))

/** The structured side: current.log from `snap.current`'s size on, then each current.log after it. */
const followCurrent = (
  runDir: string,
  id: string,
  snap: Snapshot,
  lastSeqAtStart: number | null,
  query: LogQuery
): Stream.Stream<LogRecord, FileError> =>
  Stream.suspend(() => {
    const path = currentLogFile(runDir, id)
    let file: OpenFile | null = snap.current
    let position = snap.current?.size ?? 0
    let carry: Buffer = Buffer.alloc(0)
    let lastSeq = lastSeqAtStart
    let caughtUp = true

    /** Records of rotated files between `lastSeq` and `beforeSeq`, when a rotation was missed. */
    const fillGap = async (beforeSeq: number): Promise<ReadonlyArray<LogRecord>> => {
      if (lastSeq === null) return []
      const fresh = await snapshot(runDir, id)
      try {
        const history = await readHistory(
          fresh,
          { tail: null, since: null, until: null, stream: null, afterSeq: lastSeq },
          false
        )
        return history.records.filter((r) => r.seq !== null && r.seq < beforeSeq)
      } finally {
        await fresh.current?.handle.close()
      }
    }

    const recordsOf = async (lines: ReadonlyArray<string>): Promise<Array<LogRecord>> => {
      const out: Array<LogRecord> = []
      for (const line of lines) {
        const parsed = parseLine(line)
        if ("malformed" in parsed) {
          if (unknownTimeMatches(query) && passes(query, parsed.malformed)) out.push(parsed.malformed)
          continue
        }
        const seq = parsed.seq!
        if (lastSeq !== null && seq <= lastSeq) continue
        if (lastSeq !== null && seq > lastSeq + 1) {
          for (const missed of await fillGap(seq)) if (passes(query, missed)) out.push(missed)
        }
        lastSeq = seq
        if (parsed.flag === "x" || parsed.partial) continue
        if (passes(query, parsed)) out.push(shown(parsed))
      }
      return out
    }

    /** Reads what `file` has past `position` (up to MAX_READ), holding back a line without its newline. */
    const readMore = async (open: OpenFile, all: boolean): Promise<Array<string>> => {
      const lines: Array<string> = []
      for (;;) {
        const size = (await open.handle.stat()).size
        if (size < position) {
          // Truncated in place: start over; seq keeps what was shown from being shown again.
          position = 0
          carry = Buffer.alloc(0)
        }
        if (size === position) {
          caughtUp = true
          return lines
        }
        const length = Math.min(size - position, MAX_READ)
        const buffer = Buffer.allocUnsafe(length)
        const { bytesRead } = await open.handle.read(buffer, 0, length, position)
        position += bytesRead
        caughtUp = position >= size
        const data =
          carry.length === 0 ? buffer.subarray(0, bytesRead) : Buffer.concat([carry, buffer.subarray(0, bytesRead)])
        const end = data.lastIndexOf(NEWLINE)
        if (end < 0) carry = Buffer.from(data)
        else {
          carry = Buffer.from(data.subarray(end + 1))
          lines.push(...data.subarray(0, end).toString("utf8").split("\n"))
        }
        if (!all || bytesRead === 0) return lines
      }
    }

    const poll = Effect.gen(function* () {
      if (caughtUp) yield* Effect.sleep(FOLLOW_INTERVAL)
      return yield* attempt(path, async (): Promise<ReadonlyArray<LogRecord>> => {
        if (file === null) {
          const info = await onPath(path, "stat", () =>
            stat(path).catch((e: unknown) => (errorCode(e) === "ENOENT" ? null : Promise.reject(e)))
          )
          if (info === null) return []
          const reopened = await onPath(path, "read", () => snapshotCurrent(runDir, id))
          if (reopened === null) return []
          file = reopened
          position = 0
          carry = Buffer.alloc(0)
        }
        const open = file
        const lines = await onPath(path, "read", () => readMore(open, false))
        if (lines.length > 0 || !caughtUp) return recordsOf(lines)
        const now = await onPath(path, "stat", () =>
          stat(path).catch((e: unknown) => (errorCode(e) === "ENOENT" ? null : Promise.reject(e)))
        )
        if (now !== null && now.ino === open.ino && now.dev === open.dev) return []
        // Renamed away: its writer has moved on, so what is in it now is all it will hold.
        const rest = await onPath(path, "read", () => readMore(open, true))
        if (carry.length > 0) rest.push(carry.toString("utf8"))
        carry = Buffer.alloc(0)
        await open.handle.close()
        file = null
        caughtUp = false
        return recordsOf(rest)
      })
    })

    return Stream.fromEffectRepeat(poll).pipe(
      Stream.flattenIterable,
      Stream.ensuring(Effect.promise(async () => void (await file?.handle.close().catch(() => undefined))))
    )
  })

/** The current.log now, opened (null while there is none: between a rotation's rename and create). */
const snapshotCurrent = async (runDir: string, id: string): Promise<OpenFile | null> => {
  const snap = await snapshot(runDir, id)
  return snap.current
}

/**
 * What `readHistory` gives for `query` (partial lines left out), then every new record: the
 * structured files and the raw log followed together.
 */
export const followHistory = (runDir: string, id: string, query: LogQuery): Stream.Stream<LogRecord, FileError> =>
  Stream.unwrap(
    attempt(currentLogFile(runDir, id), async () => {
      const snap = await snapshot(runDir, id)
      try {
        const history = await readHistory(snap, query, false)
        return { snap, history }
      } catch (error) {
        await snap.current?.handle.close()
        throw error
      }
    }).pipe(
      Effect.map(({ snap, history }) => {
        const lastSeq =
          history.newestSeq === null
            ? query.afterSeq
            : query.afterSeq === null
              ? history.newestSeq
              : Math.max(history.newestSeq, query.afterSeq)
        const structured = followCurrent(runDir, id, snap, lastSeq, query)
        // A raw line has no time, so a time filter leaves it out; but every raw line appended from
        // now on is newer than any seq, so `afterSeq` does not.
        const raw =
          query.since === null && query.until === null
            ? followFrom(rawLogFile(runDir, id), snap.raw).pipe(
                Stream.map(rawRecord),
                Stream.filter((r) => passes(query, r))
              )
            : Stream.empty
        return Stream.concat(Stream.fromIterable(history.records), Stream.merge(structured, raw))
      })
    )
  )
