/**
 * `run/<id>.log` into an agent's records: the log of an agent started without a launcher (no
 * agentctl process ran to split its lines) or of an earlier agentctl. Done by the next
 * `launcher start` and by `logs --rotate`, so that one budget covers everything.
 *
 * Copy-then-truncate, the one place agentctl uses it, because an agent started without a launcher
 * holds the file itself and nothing else can rotate it. The bound on what it loses: bytes the
 * agent appends after the last read below saw the end of the file and before ftruncate(2) runs
 * (the reads are repeated until the size stops changing, so the window is one fstat and one
 * syscall long). An agent that is not running loses nothing. Agents started by the launcher
 * never write here.
 */
import * as fs from "node:fs"
import { errorCode } from "../errno.ts"
import type { AgentLogWriter } from "./AgentLogWriter.ts"

const CHUNK = 1024 * 1024
const NEWLINE = 0x0a
const ROUNDS = 4

export interface Absorbed {
  /** Bytes taken into the records. */
  readonly bytes: number
  /** Older bytes beyond what the agent's `keep` and `max_size` would ever hold, left out. */
  readonly skippedBytes: number
}

/** Null when there is no raw log or it is empty. At most `keepBytes` from its end are taken. */
export const absorbRawLog = (path: string, keepBytes: number, writer: AgentLogWriter): Absorbed | null => {
  let fd: number
  try {
    fd = fs.openSync(path, "r+")
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null
    throw error
  }
  try {
    const stat = fs.fstatSync(fd)
    if (stat.size === 0) return null
    const note = `the lines below were taken over from ${path}, written without a launcher; their times are not known and show as the file's last change`
    let position = Math.max(0, stat.size - keepBytes)
    // Start at a line: the bytes before the first newline belong to a line mostly left out.
    if (position > 0) position = startOfNextLine(fd, position)
    const skippedBytes = position
    let bytes = 0
    let rest: Buffer = Buffer.alloc(0)
    let first = true
    for (let round = 0; round < ROUNDS; round++) {
      const size = fs.fstatSync(fd).size
      if (position >= size) break
      while (position < size) {
        const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - position))
        const n = fs.readSync(fd, buffer, 0, buffer.length, position)
        if (n === 0) break
        position += n
        bytes += n
        const data = rest.length === 0 ? buffer.subarray(0, n) : Buffer.concat([rest, buffer.subarray(0, n)])
        const lines = splitLines(data)
        rest = lines.rest
        if (lines.whole.length > 0) {
          writer.writeLines(lines.whole, stat.mtimeMs, first ? note : null)
          first = false
        }
      }
    }
    if (rest.length > 0) writer.writeLines([rest], stat.mtimeMs, first ? note : null)
    fs.ftruncateSync(fd, 0)
    return { bytes, skippedBytes }
  } finally {
    fs.closeSync(fd)
  }
}

const startOfNextLine = (fd: number, from: number): number => {
  const buffer = Buffer.allocUnsafe(64 * 1024)
  for (let position = from; ;) {
    const n = fs.readSync(fd, buffer, 0, buffer.length, position)
    if (n === 0) return position
    const nl = buffer.subarray(0, n).indexOf(NEWLINE)
    if (nl !== -1) return position + nl + 1
    position += n
  }
}

const splitLines = (data: Buffer): { readonly whole: Array<Buffer>; readonly rest: Buffer } => {
  const whole: Array<Buffer> = []
  let start = 0
  for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
    whole.push(data.subarray(start, nl))
    start = nl + 1
  }
  return { whole, rest: data.subarray(start) }
}
