/**
 * Which processes hold a POSIX lock on a file, from Linux's /proc/locks. No Effect: the
 * launcher reads it while taking over a fleet, and a waiting command to name who it waits for.
 */
import { readFileSync, statSync } from "node:fs"
import { errorCode } from "./errno.ts"

const hex = (n: bigint) => n.toString(16).padStart(2, "0")

/** `MAJ:MIN:INODE` as /proc/locks prints a file: device numbers in hex, inode in decimal. */
export const lockKey = (dev: bigint, ino: bigint): string => {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn)
  return `${hex(major)}:${hex(minor)}:${ino}`
}

/**
 * Pids holding (not waiting for) a POSIX or OFD lock on the file with this key, from the text of
 * /proc/locks, e.g. `1: POSIX  ADVISORY  WRITE 7232 fe:00:2146568 1073741824 1073742335`.
 */
export const parseLockHolders = (procLocks: string, key: string): ReadonlyArray<number> => {
  const pids: Array<number> = []
  for (const line of procLocks.split("\n")) {
    const fields = line.trim().split(/\s+/)
    // fields: "N:", type, mode, access, pid, file, start, end; a waiter has "->" after "N:".
    if (fields[1] === "->" || fields[5] !== key) continue
    if (fields[1] !== "POSIX" && fields[1] !== "OFDLCK") continue
    const pid = Number(fields[4])
    if (Number.isSafeInteger(pid)) pids.push(pid)
  }
  return pids
}

/**
 * Pids holding a POSIX lock on `file` now: [] when none does (or the file does not exist yet),
 * null when this host has no /proc/locks to ask. An OFD lock's holder shows as pid -1.
 */
export const lockHolders = (file: string): ReadonlyArray<number> | null => {
  let key: string
  try {
    const s = statSync(file, { bigint: true })
    key = lockKey(s.dev, s.ino)
  } catch (error) {
    if (errorCode(error) === "ENOENT") return []
    throw error
  }
  let text: string
  try {
    text = readFileSync("/proc/locks", "latin1")
  } catch {
    return null
  }
  return parseLockHolders(text, key)
}
