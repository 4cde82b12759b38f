/**
 * ApiToken on the local file system: 32 random bytes as hex in `run/api.token`, mode 0600,
 * written with writeAtomic like every other file agentctl replaces.
 */
import { ApiToken } from "@agentctl/core/ApiToken"
import { FileError } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import { closeSync, openSync, readSync, statSync } from "node:fs"
import { chmod, mkdir, readFile, stat } from "node:fs/promises"
import { dirname } from "node:path"
import { errorCode } from "./errno.ts"
import { attempt, writeAtomic } from "./internal/files.ts"

/*
 * No node:crypto here: loading it initialises OpenSSL, ~2 MiB of RSS the launcher would carry
 * for its whole life just to make a token. The kernel's random source does the job.
 */

/** 32 bytes from the kernel's random source, /dev/urandom, as hex. */
export const newToken = (): string => {
  const bytes = Buffer.alloc(32)
  const fd = openSync("/dev/urandom", "r")
  try {
    for (let n = 0; n < bytes.length;) n += readSync(fd, bytes, n, bytes.length - n, null)
  } finally {
    closeSync(fd)
  }
  return bytes.toString("hex")
}

/** newToken as an Effect: a host without /dev/urandom gets an error naming it, not a crash. */
const freshToken = Effect.try({ try: newToken, catch: (e) => FileError.fromCause("/dev/urandom", "read", e) })

/** The token, or null when the file does not exist (or is empty). */
const readToken = (file: string): Effect.Effect<string | null, FileError> =>
  attempt(file, "read", () =>
    readFile(file, "utf8").then(
      (text) => text.trim() || null,
      (error: unknown) => {
        if (errorCode(error) === "ENOENT") return null
        throw error
      }
    )
  )

/**
 * What identifies the file's content for the cache: checked on every request, synchronously (a
 * stat of a small file in the page cache takes microseconds; one through libuv's thread pool,
 * two threads in the launcher, queued behind every other request's under load). null: it exists
 * but cannot be looked at (EACCES on run/, say): nothing is cached, and the read fails too.
 */
const fileKey = (file: string): string | null => {
  try {
    const info = statSync(file, { throwIfNoEntry: false })
    return info === undefined ? "missing" : `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`
  } catch {
    return null
  }
}

export const make = (file: string): ApiToken["Service"] => {
  let cached: { readonly key: string; readonly token: string | null } | null = null
  // run/ may not exist yet: `agentctl api --rotate` on a fleet never started, a test's temp dir.
  const write = (token: string) =>
    attempt(dirname(file), "mkdir", () => mkdir(dirname(file), { recursive: true })).pipe(
      Effect.andThen(writeAtomic(file, `${token}\n`, 0o600)),
      Effect.as(token)
    )
  return ApiToken.of({
    file,
    current: Effect.suspend(() => {
      const key = fileKey(file)
      if (cached !== null && cached.key === key) return Effect.succeed(cached.token)
      // A token that cannot be read refuses every request: the API fails closed.
      const read = key === "missing" ? Effect.succeed(null) : readToken(file).pipe(Effect.orElseSucceed(() => null))
      return Effect.tap(read, (token) =>
        Effect.sync(() => {
          if (key !== null) cached = { key, token }
        })
      )
    }),
    ensure: Effect.gen(function* () {
      const existing = yield* readToken(file)
      if (existing === null) return yield* Effect.flatMap(freshToken, write)
      const mode = yield* attempt(file, "stat", () => stat(file).then((s) => s.mode & 0o777))
      if (mode !== 0o600) {
        yield* Effect.logWarning(`${file} had mode ${mode.toString(8)}; setting it to 600`)
        yield* attempt(file, "chmod", () => chmod(file, 0o600))
      }
      return existing
    }),
    rotate: Effect.flatMap(freshToken, write)
  })
}
