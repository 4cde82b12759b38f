/*
 * Sizes and free space as the log code reads them, plain node:fs: the fast `ls` path uses them too.
 */
import { statfsSync, statSync } from "node:fs"
import { errorCode } from "../errno.ts"

/** 0 for a file that does not exist. */
export const fileSizeOrZero = (path: string): number => {
  try {
    return statSync(path).size
  } catch (error) {
    if (errorCode(error) === "ENOENT") return 0
    throw error
  }
}

/** Free space as an unprivileged writer sees it (bavail, not bfree: root's reserve is not ours to fill). */
export const diskSpace = (dir: string): { readonly totalBytes: number; readonly freeBytes: number } => {
  const s = statfsSync(dir)
  return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize }
}
