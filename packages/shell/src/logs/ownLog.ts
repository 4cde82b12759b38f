/**
 * The launcher's own log (run/launcher.log) bounded like the agents': at `maxSize` it becomes
 * `launcher.log.1` (the older ones shift up to `launcher.log.<keep>`, the oldest goes), and
 * writing carries on in an empty run/launcher.log.
 *
 * The launcher's stdout and stderr are that file (opened by `launcher start`), so it cannot be
 * renamed from under them; it is copied, then truncated. That loses nothing here, because the
 * launcher is its only writer and does both between two of its own synchronous writes. Under
 * systemd or in a terminal (`launcher run`) stdout is something else and is left alone.
 */
import * as fs from "node:fs"
import { errorCode } from "../errno.ts"

const STDOUT = 1

export const rotatedOwnLog = (path: string, n: number): string => `${path}.${n}`

/** Shifts `path.1 … path.<keep-1>` up by one and copies `path` to `path.1`; keep 0 keeps none. */
const shift = (path: string, keep: number): void => {
  fs.rmSync(rotatedOwnLog(path, keep), { force: true })
  for (let i = keep - 1; i >= 1; i--) {
    try {
      fs.renameSync(rotatedOwnLog(path, i), rotatedOwnLog(path, i + 1))
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error
    }
  }
  if (keep > 0) fs.copyFileSync(path, rotatedOwnLog(path, 1))
}

/** Whether our stdout is `path` itself (not the journal, a terminal or a pipe). */
const stdoutIs = (path: string): boolean => {
  try {
    const out = fs.fstatSync(STDOUT)
    const file = fs.statSync(path)
    return out.isFile() && out.ino === file.ino && out.dev === file.dev
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false
    throw error
  }
}

/**
 * Called after the launcher writes to its log: rotates once it passes `maxSize`. Returns a
 * checker that costs one fstat(2) per call while the file is under the limit.
 */
export const ownLogBound = (path: string, maxSize: number, keep: number): (() => void) => {
  const ours = stdoutIs(path)
  return () => {
    if (!ours || fs.fstatSync(STDOUT).size < maxSize) return
    shift(path, keep)
    fs.ftruncateSync(STDOUT, 0)
  }
}

/** `launcher start`, before it opens the log for a new launcher: the same rotation, by rename. */
export const rotateOwnLogIfOver = (path: string, maxSize: number, keep: number): void => {
  let size: number
  try {
    size = fs.statSync(path).size
  } catch (error) {
    if (errorCode(error) === "ENOENT") return
    throw error
  }
  if (size < maxSize) return
  shift(path, keep)
  fs.truncateSync(path, 0)
}
