/**
 * The file system calls the log writer makes, synchronous on purpose: a chunk read from an
 * agent's pipe is written before the next one is read, so what the launcher holds in memory at
 * any moment is at most one chunk, and a launcher killed mid-chunk loses only what the kernel
 * had not handed it yet (which stays in the pipe for the next launcher). A fake of this
 * interface is how the tests fill the disk.
 */
import * as fs from "node:fs"
import { errorCode } from "../errno.ts"

export interface LogFileOps {
  /** Opens for writing at explicit positions (not O_APPEND: Linux pwrite ignores the offset under O_APPEND). */
  readonly openForWrite: (path: string) => number
  /** Bytes written; throws (ENOSPC, EDQUOT, EIO…) when nothing could be written. */
  readonly write: (fd: number, buffer: Buffer, position: number) => number
  readonly truncate: (fd: number, length: number) => void
  readonly size: (fd: number) => number
  readonly close: (fd: number) => void
  readonly rename: (from: string, to: string) => void
  /** The file's last `maxBytes` bytes (all of a smaller file), or null when it does not exist. */
  readonly readTail: (path: string, maxBytes: number) => Buffer | null
  /** The file's first `maxBytes` bytes, or null when it does not exist. */
  readonly readHead: (path: string, maxBytes: number) => Buffer | null
}

const readSlice = (path: string, maxBytes: number, from: "head" | "tail"): Buffer | null => {
  let fd: number
  try {
    fd = fs.openSync(path, "r")
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null
    throw error
  }
  try {
    const size = fs.fstatSync(fd).size
    const length = Math.min(size, maxBytes)
    const start = from === "head" ? 0 : size - length
    const buffer = Buffer.allocUnsafe(length)
    let got = 0
    while (got < length) {
      const n = fs.readSync(fd, buffer, got, length - got, start + got)
      if (n === 0) break
      got += n
    }
    return buffer.subarray(0, got)
  } finally {
    fs.closeSync(fd)
  }
}

export const nodeLogFileOps: LogFileOps = {
  openForWrite: (path) => fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o644),
  write: (fd, buffer, position) => fs.writeSync(fd, buffer, 0, buffer.length, position),
  truncate: (fd, length) => fs.ftruncateSync(fd, length),
  size: (fd) => fs.fstatSync(fd).size,
  close: (fd) => fs.closeSync(fd),
  rename: (from, to) => fs.renameSync(from, to),
  readTail: (path, maxBytes) => readSlice(path, maxBytes, "tail"),
  readHead: (path, maxBytes) => readSlice(path, maxBytes, "head")
}
