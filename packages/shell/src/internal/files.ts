/**
 * fs helpers shared by the file-backed layers: errors as FileError, atomic replace.
 */
import { FileError } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import { open, rename, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"

/** `cannot <doing> <file>: <why>`, with the errno and the error itself kept as fields (core's FileError). */
export const fileError =
  (file: string, doing: string) =>
  (error: unknown): FileError =>
    FileError.fromCause(file, doing, error)

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
