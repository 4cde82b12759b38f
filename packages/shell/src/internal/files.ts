/**
 * fs helpers shared by the file-backed layers: errors as FileError, atomic replace.
 */
import { FileError } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import { open, rename, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { errorCode } from "../errno.ts"

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a parent is not a directory",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system"
}

export const fileError =
  (file: string, doing: string) =>
  (error: unknown): FileError => {
    const code = errorCode(error)
    const reason =
      code !== undefined && REASONS[code] !== undefined
        ? REASONS[code]
        : error instanceof Error
          ? error.message
          : String(error)
    return new FileError({ file, message: `cannot ${doing} ${file}: ${reason}` })
  }

/** A node fs promise as an Effect failing with FileError. */
export const attempt = <A>(file: string, doing: string, f: () => Promise<A>): Effect.Effect<A, FileError> =>
  Effect.tryPromise({ try: f, catch: fileError(file, doing) })

/**
 * A name no other writer uses at the same time: pid, clock and a counter. (Not random bytes:
 * node:crypto would cost the launcher its OpenSSL, ~2 MiB of RSS, for a file name.) Should a
 * stale file of a crashed process ever carry the same name, `wx` refuses it rather than share it.
 */
let tmpSeq = 0
const tmpName = (file: string): string =>
  join(dirname(file), `${basename(file)}.${process.pid}.${Date.now().toString(36)}.${(tmpSeq++).toString(36)}.tmp`)

/**
 * Replace `file` atomically: write a temp file (`tmpName`) in the same folder (same file
 * system, so rename(2) is atomic), fsync it, rename over. Readers see the old or the new text,
 * never half; the temp file is removed when anything fails.
 */
export const writeAtomic = (file: string, text: string, mode?: number): Effect.Effect<void, FileError> =>
  Effect.suspend(() => {
    const tmp = tmpName(file)
    return attempt(file, "write", async () => {
      const handle = await open(tmp, "wx", mode ?? 0o666)
      try {
        // open's mode is filtered by the umask; an explicit chmod keeps an existing file's mode exactly.
        if (mode !== undefined) await handle.chmod(mode)
        await handle.writeFile(text, "utf8")
        await handle.datasync()
      } finally {
        await handle.close()
      }
      await rename(tmp, file)
    }).pipe(Effect.onError(() => Effect.promise(() => rm(tmp, { force: true }).catch(() => undefined))))
  })
