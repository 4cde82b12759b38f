/**
 * Never two launchers per fleet, and a hand-over from the daemonless commands that loses no
 * start. A launcher, in this order:
 *
 * 1. takes `run/launcher.lock` with flock(2), held on an fd it keeps open for its whole life. The
 *    kernel decides: of any number of launchers starting at once exactly one gets it, and it is
 *    released when that launcher exits, even by SIGKILL, so no stale lock exists to be judged.
 *    Node has no flock binding: flock(1) from util-linux locks the fd we pass it, and the lock
 *    belongs to the open file description we share, so it stays after flock(1) exits. A launcher
 *    that does not get it exits at once, having started nothing.
 * 2. registers: writes `run/launcher.pid` (pid, start time, boot id) atomically. Readers trust it
 *    only while that process holds the lock file open (launcherRecord.ts).
 * 3. waits until no daemonless command holds `run/fleet.lock` (NodeFleetLock.ts). A command
 *    checks for a registered launcher holding that lock, so every command either finished before
 *    this point or will find the launcher and go through it. Only then does the launcher look at
 *    the process table and adopt or start agents.
 */
import { FileError, LauncherRunning } from "@agentctl/core/Errors"
import type { PidRecord } from "@agentctl/core/PidRecord"
import { parsePidRecord } from "@agentctl/core/pidRecordText"
import * as Effect from "effect/Effect"
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync } from "node:fs"
import { dirname } from "node:path"
import { errorCode } from "./errno.ts"
import { writeAtomic } from "./internal/files.ts"
import { lockFile, readLauncherSync, recordFile } from "./launcherRecord.ts"
import { fleetLockFile, tryLockSync } from "./NodeFleetLock.ts"
import { lockHolders } from "./procLocks.ts"
import { readBootIdSync, readUsageSync } from "./procfsSync.ts"
import { childProcess } from "./childProcess.ts"

export { isLive, lockFile, readLauncherSync, recordFile } from "./launcherRecord.ts"

/** flock(1) on our fd 3: exit 0 got it, 1 someone holds it (--nonblock). */
const flockFd = (fd: number, file: string): Effect.Effect<boolean, FileError> =>
  Effect.callback<boolean, FileError>((resume) => {
    const child = childProcess().spawn("flock", ["--exclusive", "--nonblock", "3"], {
      stdio: ["ignore", "ignore", "pipe", fd]
    })
    let stderr = ""
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.once("error", (error) =>
      resume(
        Effect.fail(
          errorCode(error) === "ENOENT"
            ? FileError.because(file, "lock", {
                code: "ENOENT",
                detail: "flock(1) (util-linux) is not installed",
                cause: error
              })
            : FileError.fromCause(file, "lock", error)
        )
      )
    )
    child.once("close", (code) => {
      if (code === 0) resume(Effect.succeed(true))
      else if (code === 1) resume(Effect.succeed(false))
      else {
        const detail = `flock(1) exited with code ${code}${stderr.trim() === "" ? "" : `: ${stderr.trim()}`}`
        resume(Effect.fail(FileError.because(file, "lock", { code: null, detail })))
      }
    })
  })

const ownRecord = (): PidRecord => ({
  pid: process.pid,
  startTime: readUsageSync(process.pid, Date.now())?.startTime ?? null,
  bootId: readBootIdSync(),
  startedAt: Date.now()
})

const pollMs = 20

/**
 * Wait until no process holds the fleet lock. /proc/locks tells without taking the lock (which
 * would load SQLite into the launcher for good: 1.8 MiB of RSS); a host without it takes and
 * drops the lock itself.
 */
const awaitCommands = (runDir: string, onWait: (holders: ReadonlyArray<number>) => Effect.Effect<void>) =>
  Effect.gen(function* () {
    const file = fleetLockFile(runDir)
    let announced = false
    for (;;) {
      const holders = yield* Effect.try({
        try: () => lockHolders(file),
        catch: (e) => FileError.fromCause(file, "read the holders of", e)
      })
      if (holders === null) {
        const held = yield* Effect.try({
          try: () => tryLockSync(file),
          catch: (e) => FileError.fromCause(file, "lock", e)
        })
        if (held !== null) return held.release()
      } else if (holders.length === 0) return
      if (!announced) yield* onWait(holders ?? [])
      announced = true
      yield* Effect.sleep(pollMs)
    }
  })

/** The record now, or null when it is gone or unreadable: then it is not ours to remove. */
const readRecordSafe = (runDir: string): PidRecord | null => {
  try {
    return parsePidRecord(readFileSync(recordFile(runDir), "utf8"))
  } catch {
    return null
  }
}

/**
 * Take the fleet for this process, as above; released (record removed if still ours, lock fd
 * closed) when the scope closes. Fails with LauncherRunning when another launcher has it.
 * `onWait` is told once if daemonless commands must be waited for.
 */
export const acquire = (runDir: string, onWait: (holders: ReadonlyArray<number>) => Effect.Effect<void>) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const file = lockFile(runDir)
      const fd = yield* Effect.try({
        try: () => {
          mkdirSync(runDir, { recursive: true })
          return openSync(file, "a", 0o644)
        },
        catch: (e) => FileError.fromCause(file, "open", e)
      })
      const taken = yield* flockFd(fd, file).pipe(Effect.tapError(() => Effect.sync(() => closeSync(fd))))
      if (!taken) {
        closeSync(fd)
        const holder = readLauncherSync(runDir)
        return yield* LauncherRunning.forRoot(dirname(runDir), holder?.pid ?? null)
      }
      const record = ownRecord()
      yield* writeAtomic(recordFile(runDir), `${JSON.stringify(record)}\n`, 0o644).pipe(
        Effect.tapError(() => Effect.sync(() => closeSync(fd)))
      )
      yield* awaitCommands(runDir, onWait).pipe(Effect.tapError(() => Effect.sync(() => closeSync(fd))))
      return { record, fd }
    }),
    ({ record, fd }) =>
      Effect.sync(() => {
        const current = readRecordSafe(runDir)
        if (current?.pid === record.pid && current.startTime === record.startTime) {
          try {
            unlinkSync(recordFile(runDir))
          } catch (error) {
            // Already gone (someone cleaned run/) is fine; anything else is worth a line in the log.
            if (errorCode(error) !== "ENOENT") throw error
          }
        }
        closeSync(fd)
      })
  ).pipe(Effect.map(({ record }) => record))
