/**
 * fs helpers shared by the file-backed layers: errors as FileError, atomic replace.
 */
import { FileError } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import { open, readdir, rename, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { errorCode } from "../errno.ts"

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

/** What follows `<file>.` in a temp name: the writer's pid, a base36 clock, a base36 counter. */
const tmpSuffix = /^(\d+)\.[0-9a-z]+\.[0-9a-z]+\.tmp$/

/** Whether a process with this pid exists; EPERM says it does, as another user's. */
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errorCode(error) === "EPERM"
  }
}

/**
 * Removes the temp files of `file` whose writer is gone: one killed between open and rename
 * (SIGKILL, power loss) leaves its temp file behind, and nothing else would ever remove it. Ours
 * are kept, as one may be another fiber's write in flight, and so is any whose pid is alive (maybe
 * reused), which errs towards keeping a file over breaking a live writer's rename.
 *
 * A courtesy to the folder, not part of the write, so it fails nothing: a folder that cannot be
 * listed fails the write on its own, and a temp file another writer removed first, or one we may
 * not remove, is no reason to refuse the user's write.
 */
const removeStaleTempFiles = async (file: string): Promise<void> => {
  const folder = dirname(file)
  const prefix = `${basename(file)}.`
  const names = await readdir(folder).catch((): ReadonlyArray<string> => [])
  const stale = names.filter((name) => {
    const pid = Number(tmpSuffix.exec(name.slice(prefix.length))?.[1])
    return name.startsWith(prefix) && Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)
  })
  await Promise.all(stale.map((name) => rm(join(folder, name), { force: true }).catch(() => undefined)))
}

/**
 * How a write must survive. `durable` (the default): fsync'd before the rename, so a power loss
 * leaves the old text or the new, never an empty file. `boot`: only for files that describe
 * processes of this boot (pid records): after a power loss they are stale whatever they say (the
 * boot id differs), so the fsync buys nothing, and a `start --all` of 100 agents paid 100 of them.
 * A crash of the writer still leaves the old or the new text: that is rename(2)'s doing.
 */
export type Durability = "durable" | "boot"

/**
 * Replace `file` atomically: write a temp file (`tmpName`) in the same folder (same file
 * system, so rename(2) is atomic), fsync it (see Durability), rename over. Readers see the old
 * or the new text, never half; the temp file is removed when anything fails. Temp files of this
 * file's writers that died mid-write are removed first.
 */
export const writeAtomic = (
  file: string,
  text: string,
  mode?: number,
  durability: Durability = "durable"
): Effect.Effect<void, FileError> =>
  Effect.suspend(() => {
    const tmp = tmpName(file)
    return attempt(file, "write", async () => {
      await removeStaleTempFiles(file)
      const handle = await open(tmp, "wx", mode ?? 0o666)
      try {
        // open's mode is filtered by the umask; an explicit chmod keeps an existing file's mode exactly.
        if (mode !== undefined) await handle.chmod(mode)
        await handle.writeFile(text, "utf8")
        if (durability === "durable") await handle.datasync()
      } finally {
        await handle.close()
      }
      await rename(tmp, file)
    }).pipe(Effect.onError(() => Effect.promise(() => rm(tmp, { force: true }).catch(() => undefined))))
  })
