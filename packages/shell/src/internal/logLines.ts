/**
 * Reading log files as lines: `tail` from the end backwards, `follow` by polling the size.
 */
import type { FileError } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { FileHandle } from "node:fs/promises"
import { open, stat } from "node:fs/promises"
import { errorCode } from "../errno.ts"
import { attempt } from "./files.ts"
import { readAt } from "./readAt.ts"

const NEWLINE = 0x0a
export const TAIL_CHUNK = 64 * 1024

const stripCr = (line: string): string => (line.endsWith("\r") ? line.slice(0, -1) : line)

/** Complete lines of `bytes` (no trailing newline expected), decoded, CRLF tolerated. */
const decodeLines = (bytes: Buffer): Array<string> => bytes.toString("utf8").split("\n").map(stripCr)

const SHRANK = Symbol("shrank")

const tailOnce = async (
  handle: FileHandle,
  lines: number,
  knownSize?: number
): Promise<Array<string> | typeof SHRANK> => {
  const size = knownSize ?? (await handle.stat()).size
  if (size === 0) return []
  const chunks: Array<Buffer> = []
  let position = size
  let newlines = 0
  // Where the wanted lines begin; 0 until the lines-th separating newline is found.
  let start = 0
  scan: while (position > 0) {
    const length = Math.min(TAIL_CHUNK, position)
    position -= length
    const chunk = await readAt(handle, length, position)
    if (chunk.length < length) return SHRANK
    chunks.unshift(chunk)
    for (let i = chunk.lastIndexOf(NEWLINE); i >= 0; i = i === 0 ? -1 : chunk.lastIndexOf(NEWLINE, i - 1)) {
      // The file's final newline ends the last line; it does not separate two.
      if (position + i === size - 1) continue
      if (++newlines === lines) {
        start = position + i + 1
        break scan
      }
    }
  }
  const bytes = Buffer.concat(chunks).subarray(start - position)
  const body = bytes[bytes.length - 1] === NEWLINE ? bytes.subarray(0, -1) : bytes
  return decodeLines(body).slice(-lines)
}

/**
 * The last `lines` lines of `file`: reads 64 KiB chunks backwards from the end until enough
 * newlines are seen, so the cost grows with the lines wanted, not the file. A last line without
 * a trailing newline counts; a missing file has no lines.
 */
export const tail = (file: string, lines: number): Effect.Effect<ReadonlyArray<string>, FileError> =>
  lines <= 0
    ? Effect.succeed([])
    : attempt(file, "read", async () => {
        let handle: FileHandle
        try {
          handle = await open(file, "r")
        } catch (error) {
          if (errorCode(error) === "ENOENT") return []
          throw error
        }
        try {
          // A truncation between stat and read restarts the scan on the smaller file.
          for (;;) {
            const result = await tailOnce(handle, lines)
            if (result !== SHRANK) return result
          }
        } finally {
          await handle.close()
        }
      })

export const FOLLOW_INTERVAL = "200 millis"
/** At most this much is read per poll, so a burst is emitted in pieces rather than all in memory. */
const FOLLOW_MAX_READ = 1024 * 1024

export interface FileId {
  readonly size: number
  readonly ino: number
  readonly dev: number
}

const statOrNull = (file: string): Effect.Effect<FileId | null, FileError> =>
  attempt(file, "stat", () =>
    stat(file).then(
      (s): FileId => ({ size: s.size, ino: s.ino, dev: s.dev }),
      (error: unknown) => {
        if (errorCode(error) === "ENOENT") return null
        throw error
      }
    )
  )

const readRange = (file: string, position: number, length: number): Effect.Effect<Buffer, FileError> =>
  attempt(file, "read", async () => {
    const handle = await open(file, "r")
    try {
      return await readAt(handle, length, position)
    } finally {
      await handle.close()
    }
  })

/**
 * Lines appended to `file` after the call. Polls the size every 200 ms with Effect.sleep (so a
 * TestClock drives it) and reads only the new bytes, holding back a partial last line. A file that
 * shrinks or is replaced (truncation, rotation) is read again from its start; a missing file is
 * waited for. Starting mid-line, the first line emitted is only the rest of that line.
 */
export const follow = (file: string): Stream.Stream<string, FileError> =>
  Stream.unwrap(Effect.map(statOrNull(file), (initial) => followFrom(file, initial)))

/** `follow` from a known starting point: the end of `initial`, or the start of a file yet to appear. */
export const followFrom = (file: string, initial: FileId | null): Stream.Stream<string, FileError> =>
  Stream.suspend(() => {
    let current: FileId | null = initial
    let position = initial?.size ?? 0
    let partial: Buffer = Buffer.alloc(0)
    let caughtUp = true

    /** A line cut off by truncation will never be completed: emit what there was. */
    const restart = (): Array<string> => {
      const flushed = partial.length > 0 ? [stripCr(partial.toString("utf8"))] : []
      partial = Buffer.alloc(0)
      position = 0
      return flushed
    }

    const poll: Effect.Effect<ReadonlyArray<string>, FileError> = Effect.gen(function* () {
      if (caughtUp) yield* Effect.sleep(FOLLOW_INTERVAL)
      const now = yield* statOrNull(file)
      if (now === null) {
        current = null
        caughtUp = true
        return restart()
      }
      const replaced = current === null || current.ino !== now.ino || current.dev !== now.dev
      const lines = replaced || now.size < position ? restart() : []
      current = now
      if (now.size === position) {
        caughtUp = true
        return lines
      }
      const bytes = yield* readRange(file, position, Math.min(now.size - position, FOLLOW_MAX_READ))
      position += bytes.length
      caughtUp = position >= now.size
      const data = partial.length === 0 ? bytes : Buffer.concat([partial, bytes])
      const end = data.lastIndexOf(NEWLINE)
      if (end < 0) {
        partial = data
        return lines
      }
      partial = Buffer.from(data.subarray(end + 1))
      return lines.concat(decodeLines(data.subarray(0, end)))
    })

    return Stream.fromEffectRepeat(poll).pipe(Stream.flattenIterable)
  })

/**
 * The last `lines` lines, then every line appended after them, with nothing lost or repeated in
 * between: the tail is read up to the size seen at one fstat, and following starts from there.
 */
export const tailThenFollow = (file: string, lines: number): Stream.Stream<string, FileError> =>
  Stream.unwrap(
    attempt(
      file,
      "read",
      async (): Promise<{ readonly lines: ReadonlyArray<string>; readonly from: FileId | null }> => {
        let handle: FileHandle
        try {
          handle = await open(file, "r")
        } catch (error) {
          if (errorCode(error) === "ENOENT") return { lines: [], from: null }
          throw error
        }
        try {
          const info = await handle.stat()
          const from = { size: info.size, ino: info.ino, dev: info.dev }
          if (lines <= 0 || info.size === 0) return { lines: [], from }
          const result = await tailOnce(handle, lines, info.size)
          // Shrunk between fstat and read: start over on the new file, from its beginning.
          return result === SHRANK ? { lines: [], from: null } : { lines: result, from }
        } finally {
          await handle.close()
        }
      }
    ).pipe(Effect.map(({ lines: first, from }) => Stream.concat(Stream.fromIterable(first), followFrom(file, from))))
  )
