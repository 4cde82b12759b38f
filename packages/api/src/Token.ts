/**
 * The API token (`run/api.token`): 32 random bytes as hex, mode 0600, created on first use and
 * replaced atomically on rotation, so a reader sees the old token or the new one, never half.
 */
import { FileError } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import { closeSync, openSync, readSync } from "node:fs"
import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises"
import { basename, dirname, join } from "node:path"

const code = (error: unknown) => (error as { code?: unknown } | null)?.code

const attempt = <A>(file: string, doing: string, f: () => Promise<A>) =>
  Effect.tryPromise({
    try: f,
    catch: (e) => FileError.fromCause(file, doing, e)
  })

/*
 * No node:crypto here: loading it initialises OpenSSL, ~2 MiB of RSS the launcher would carry
 * for its whole life just to check a bearer token. The kernel's random source and a
 * constant-time loop do the job.
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
const freshToken = Effect.try({
  try: newToken,
  catch: (e) => FileError.fromCause("/dev/urandom", "read", e)
})

/**
 * Constant-time: every character of the expected token is compared, whichever differs first,
 * so the time taken tells an attacker nothing about how much of a guess was right.
 */
export const tokenMatches = (expected: string, given: string): boolean => {
  let diff = expected.length ^ given.length
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (given.charCodeAt(i) | 0)
  return diff === 0
}

/** The token, or null when the file does not exist (or is empty). */
export const readToken = (file: string): Effect.Effect<string | null, FileError> =>
  attempt(file, "read", () =>
    readFile(file, "utf8").then(
      (text) => text.trim() || null,
      (error: unknown) => {
        if (code(error) === "ENOENT") return null
        throw error
      }
    )
  )

const writeToken = (file: string, token: string) =>
  attempt(file, "write", async () => {
    await mkdir(dirname(file), { recursive: true })
    const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`)
    try {
      const handle = await open(tmp, "wx", 0o600)
      try {
        await handle.chmod(0o600)
        await handle.writeFile(`${token}\n`, "utf8")
        await handle.datasync()
      } finally {
        await handle.close()
      }
      await rename(tmp, file)
    } finally {
      await rm(tmp, { force: true })
    }
  })

/** The existing token (its mode tightened to 0600 if someone loosened it), or a new one. */
export const ensureToken = Effect.fn("Token.ensureToken")(function* (file: string) {
  const existing = yield* readToken(file)
  if (existing === null) {
    const token = yield* freshToken
    yield* writeToken(file, token)
    return token
  }
  const mode = yield* attempt(file, "stat", () => stat(file).then((s) => s.mode & 0o777))
  if (mode !== 0o600) {
    yield* Effect.logWarning(`${file} had mode ${mode.toString(8)}; setting it to 600`)
    yield* attempt(file, "chmod", () => chmod(file, 0o600))
  }
  return existing
})

/** A new token replaces the old one; clients holding the old one get 401 from the next request on. */
export const rotateToken = Effect.fn("Token.rotateToken")(function* (file: string) {
  const token = yield* freshToken
  yield* writeToken(file, token)
  return token
})
