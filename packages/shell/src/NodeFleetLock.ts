/**
 * FleetLock on a kernel lock: an exclusive POSIX lock on `run/fleet.lock`, taken through
 * node:sqlite (`BEGIN EXCLUSIVE` on an empty database file; Node has no flock binding). The
 * kernel releases it when its holder exits however it exits, so a command killed mid-way never
 * leaves the fleet locked, and there is no stale lock to judge. The file is never removed:
 * removing a lock file someone holds would let the next command lock a new file beside it.
 *
 * node:sqlite is loaded on the first lock, not when this module loads: most commands never lock.
 */
import { FleetLocked, LauncherActive } from "@agentctl/core/Errors"
import { FleetLock } from "@agentctl/core/FleetLock"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Semaphore from "effect/Semaphore"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { fileError } from "./internal/files.ts"
import { isSqliteBusy } from "./internal/sqliteErrors.ts"
import { readLauncherSync } from "./launcherRecord.ts"
import { lockHolders } from "./procLocks.ts"

export const fleetLockFileName = "fleet.lock"
export const fleetLockFile = (runDir: string) => join(runDir, fleetLockFileName)

/** How long a command waits for another one to finish changing the fleet. */
export const maxWaitMs = 120_000
const retryMs = 25

export interface HeldLock {
  readonly release: () => void
}

/** One attempt: the held lock, or null while another process holds it. Throws on any other failure. */
export const tryLockSync = (file: string): HeldLock | null => {
  const { DatabaseSync } = process.getBuiltinModule("node:sqlite")
  const db = new DatabaseSync(file, { timeout: 0 })
  try {
    db.exec("BEGIN EXCLUSIVE")
  } catch (error) {
    db.close()
    if (isSqliteBusy(error)) return null
    throw error
  }
  return { release: () => db.close() }
}

const holdersOf = (file: string): ReadonlyArray<number> => {
  try {
    return lockHolders(file) ?? []
  } catch {
    // Only for the message: not knowing who holds the lock changes nothing.
    return []
  }
}

/** Take the lock, waiting while another command holds it; fails at once when a launcher owns the fleet. */
const acquire = (runDir: string) =>
  Effect.gen(function* () {
    const file = fleetLockFile(runDir)
    const attempt = Effect.try({
      try: () => {
        mkdirSync(runDir, { recursive: true })
        return tryLockSync(file)
      },
      catch: fileError(file, "lock")
    })
    const started = yield* Clock.currentTimeMillis
    for (;;) {
      const held = yield* attempt
      // Checked holding the lock: a launcher registers before it waits for the lock to be free.
      const launcher = readLauncherSync(runDir)
      if (launcher !== null) {
        held?.release()
        return yield* LauncherActive.forPid(launcher.pid)
      }
      if (held !== null) return held
      const waited = (yield* Clock.currentTimeMillis) - started
      if (waited >= maxWaitMs) return yield* FleetLocked.after(file, holdersOf(file), waited)
      yield* Effect.sleep(retryMs)
    }
  })

export const make = (runDir: string) =>
  Effect.map(Semaphore.make(1), (inProcess) =>
    FleetLock.of({
      // One holder per process too: a second connection of ours would wait on our own lock.
      exclusive: (effect) =>
        inProcess.withPermits(1)(
          Effect.acquireUseRelease(
            acquire(runDir),
            () => effect,
            (held) => Effect.sync(() => held.release())
          )
        )
    })
  )

export const layer = (runDir: string): Layer.Layer<FleetLock> => Layer.effect(FleetLock, make(runDir))
