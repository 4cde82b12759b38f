/**
 * Never two launchers per fleet: `run/launcher.pid` holds the launcher's pid **and** start time.
 * It is created with O_EXCL, so of two launchers starting at once exactly one gets it; a lock
 * whose pid is dead or recycled (start time differs) is stale and is replaced, by a rename that
 * only one contender can win. A bare pid file could be fooled by pid reuse; this cannot.
 */
import { FileError, LauncherRunning } from "@agentctl/core/Errors"
import type { PidRecord } from "@agentctl/core/PidRecord"
import * as Effect from "effect/Effect"
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync
} from "node:fs"
import { errorCode } from "./internal/files.ts"
import { isLive, lockFile, parsePidRecord } from "./launcherRecord.ts"
import { readHostConstantsSync, readUsageSync } from "./procfsSync.ts"

export { isLive, lockFile, lockFileName, readLauncherSync } from "./launcherRecord.ts"

const ownRecord = (): PidRecord => {
  const usage = readUsageSync(process.pid, Date.now())
  return {
    pid: process.pid,
    startTime: usage?.startTime ?? 0,
    bootId: readHostConstantsSync().bootId,
    startedAt: Date.now()
  }
}

type Attempt =
  { readonly _tag: "Acquired" } | { readonly _tag: "Held"; readonly by: PidRecord } | { readonly _tag: "Retry" }

const tryCreate = (file: string, record: PidRecord): Attempt => {
  let fd: number
  try {
    fd = openSync(file, "wx", 0o644)
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error
    return replaceStale(file)
  }
  try {
    writeSync(fd, JSON.stringify(record))
  } finally {
    closeSync(fd)
  }
  return { _tag: "Acquired" }
}

/** Move a stale lock aside; if what we moved turned out to be a fresh lock, put it back. */
const replaceStale = (file: string): Attempt => {
  let text: string
  let ino: number
  try {
    ino = statSync(file).ino
    text = readFileSync(file, "utf8")
  } catch (error) {
    if (errorCode(error) === "ENOENT") return { _tag: "Retry" }
    throw error
  }
  const held = parsePidRecord(text)
  if (held !== null && isLive(held)) return { _tag: "Held", by: held }
  const aside = `${file}.stale.${process.pid}`
  try {
    renameSync(file, aside)
  } catch (error) {
    if (errorCode(error) === "ENOENT") return { _tag: "Retry" }
    throw error
  }
  if (statSync(aside).ino !== ino) {
    // Another launcher replaced the stale lock between our read and our rename: restore it.
    try {
      linkSync(aside, file)
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error
    }
  }
  unlinkSync(aside)
  return { _tag: "Retry" }
}

/**
 * Take the lock for this process, released (removed, if still ours) when the scope closes.
 * Fails with LauncherRunning naming the live launcher's pid.
 */
export const acquire = (runDir: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: (): Attempt & { readonly record: PidRecord } => {
        mkdirSync(runDir, { recursive: true })
        const record = ownRecord()
        for (let i = 0; i < 10; i++) {
          const attempt = tryCreate(lockFile(runDir), record)
          if (attempt._tag !== "Retry") return { ...attempt, record }
        }
        throw new Error("the lock kept changing under us (10 attempts)")
      },
      catch: (error) =>
        new FileError({ file: lockFile(runDir), message: `cannot take the launcher lock: ${String(error)}` })
    }).pipe(
      Effect.flatMap((a) =>
        a._tag === "Held"
          ? Effect.fail(
              new LauncherRunning({
                pid: a.by.pid,
                message: `a launcher already supervises this fleet (pid ${a.by.pid}); stop it first: agentctl launcher stop`
              })
            )
          : Effect.succeed(a.record)
      )
    ),
    (record) =>
      Effect.sync(() => {
        const current = parsePidRecord(readFileSafe(lockFile(runDir)))
        if (current?.pid === record.pid && current.startTime === record.startTime) unlinkSync(lockFile(runDir))
      })
  )

const readFileSafe = (file: string): string => {
  try {
    return readFileSync(file, "utf8")
  } catch {
    return ""
  }
}
