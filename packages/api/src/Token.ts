/**
 * The API token (`run/api.token`): 32 random bytes as hex, mode 0600, created on first use and
 * replaced atomically on rotation, so a reader sees the old token or the new one, never half.
 */
import { FileError } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises"
import { basename, dirname, join } from "node:path"

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))
const code = (error: unknown) => (error as { code?: unknown } | null)?.code

const attempt = <A>(file: string, doing: string, f: () => Promise<A>) =>
  Effect.tryPromise({
    try: f,
    catch: (e) => new FileError({ file, message: `cannot ${doing} ${file}: ${describe(e)}` })
  })

export const newToken = (): string => randomBytes(32).toString("hex")

/** Constant-time: the comparison takes as long for a token that differs in the first byte as in the last. */
export const tokenMatches = (expected: string, given: string): boolean =>
  timingSafeEqual(createHash("sha256").update(expected).digest(), createHash("sha256").update(given).digest())

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
    const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`)
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
    const token = newToken()
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
  const token = newToken()
  yield* writeToken(file, token)
  return token
})
