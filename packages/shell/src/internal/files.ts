/**
 * fs helpers shared by the file-backed layers: errors as FileError, atomic replace.
 */
import { FileError } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import { closeSync, fchmodSync, fdatasync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { getOrCreate } from "@agentctl/core/getOrCreate"
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
/** The same suffix at the end of any name in a folder, whosever file it is a temp of. */
const tmpSuffixAnywhere = new RegExp(`\\.${tmpSuffix.source.slice(1)}`)

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
 * The temp files in `folder` whose writer is gone, listed once per process: a crash's leftovers
 * are there before we start, so one listing finds them, and a `start --all` of 100 agents then
 * reads `run/` once, not once per pid record (100 listings of 200 names were 95 ms of it). Ours
 * are kept, as one may be another fiber's write in flight, and so is any whose pid is alive
 * (maybe reused), which errs towards keeping a file over breaking a live writer's rename.
 */
const staleTempFiles = new Map<string, Set<string>>()
const staleIn = (folder: string): Set<string> =>
  getOrCreate(staleTempFiles, folder, () => {
    try {
      return new Set(readdirSync(folder).filter(isStaleTempName))
    } catch {
      return new Set()
    }
  })

const isStaleTempName = (name: string): boolean => {
  const suffix = tmpSuffixAnywhere.exec(name)
  const pid = Number(suffix?.[1])
  return suffix !== null && Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)
}

/**
 * Removes the temp files of `file` whose writer is gone: one killed between open and rename
 * (SIGKILL, power loss) leaves its temp file behind, and nothing else would ever remove it.
 *
 * A courtesy to the folder, not part of the write, so it fails nothing: a folder that cannot be
 * listed fails the write on its own, and a temp file another writer removed first, or one we may
 * not remove, is no reason to refuse the user's write.
 */
const removeStaleTempFiles = (file: string): void => {
  const folder = dirname(file)
  const prefix = `${basename(file)}.`
  const stale = staleIn(folder)
  for (const name of stale) {
    if (!name.startsWith(prefix) || !tmpSuffix.test(name.slice(prefix.length))) continue
    stale.delete(name)
    try {
      rmSync(join(folder, name), { force: true })
    } catch {
      // see above: not the user's write's concern
    }
  }
}

/**
 * How a write must survive. `durable` (the default): fsync'd before the rename, so a power loss
 * leaves the old text or the new, never an empty file. `boot`: only for files that describe
 * processes of this boot (pid records): after a power loss they are stale whatever they say (the
 * boot id differs), so the fsync buys nothing, and a `start --all` of 100 agents paid 100 of them.
 * A crash of the writer still leaves the old or the new text: that is rename(2)'s doing.
 */
export type Durability = "durable" | "boot"

/** The temp file written and closed, synced first unless `boot` (an fsync is the one slow step). */
const writeTemp = (tmp: string, text: string, mode: number | undefined): number => {
  const fd = openSync(tmp, "wx", mode ?? 0o666)
  try {
    // open's mode is filtered by the umask; an explicit chmod keeps an existing file's mode exactly.
    if (mode !== undefined) fchmodSync(fd, mode)
    const bytes = Buffer.from(text, "utf8")
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at)
    return fd
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

const fdatasyncOffThread = (fd: number) =>
  new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error === null ? resolve() : reject(error))))

const removeQuietly = (tmp: string) => {
  try {
    rmSync(tmp, { force: true })
  } catch {
    // the write's own error is the one to report; a temp file left over is removed later
  }
}

/**
 * Replace `file` atomically: write a temp file (`tmpName`) in the same folder (same file
 * system, so rename(2) is atomic), fsync it (see Durability), rename over. Readers see the old
 * or the new text, never half; the temp file is removed when anything fails. Temp files of this
 * file's writers that died mid-write are removed first.
 *
 * Open, write, close and rename are direct calls, for what this writes is small (pid records,
 * histories, configs): through the promise API each is a thread-pool round trip, and a `start
 * --all` of 100 agents paid 3 ms a pid record for them while it spawned on the main thread (0.6
 * ms direct, measured on 2 cores). The fsync of a `durable` write is the one step that waits on
 * the disk, so it alone goes to the thread pool: a stop of 300 agents writes 300 exit histories
 * and their fsyncs overlap instead of holding the main thread in turn.
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
      removeStaleTempFiles(file)
      try {
        const fd = writeTemp(tmp, text, mode)
        try {
          if (durability === "durable") await fdatasyncOffThread(fd)
        } finally {
          closeSync(fd)
        }
        renameSync(tmp, file)
      } catch (error) {
        removeQuietly(tmp)
        throw error
      }
    })
  })
