/**
 * ConfigSource on the local file system, relative to the fleet root.
 */
import { configLimits } from "@agentctl/core/configLimits"
import { ConfigSource } from "@agentctl/core/ConfigSource"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { closeSync, fstatSync, openSync, readSync } from "node:fs"
import { realpath, stat } from "node:fs/promises"
import { resolve } from "node:path"
import { globSync } from "./globSync.ts"
import { errorCode } from "./errno.ts"
import { attempt, fileError, writeAtomic } from "./internal/files.ts"

const missingAsNull = <A>(promise: Promise<A>): Promise<A | null> =>
  promise.catch((error: unknown) => {
    if (errorCode(error) === "ENOENT") return null
    throw error
  })

/**
 * The file's first `limit + 1` bytes as text, null when there is none: all of it for any file a
 * fleet can use, and for a larger one enough for its parser to refuse it (`configLimits.fileBytes`)
 * without this process reading gigabytes into memory first. Sized by stat, and read on past it,
 * as a file may grow. Direct calls: a config or `.env` is small, and `start --all` reads an
 * agent's `.env` files for every spawn (the promise API's thread-pool round trips cost more
 * than the reads; see writeAtomic).
 */
const readAtMost = (path: string, limit: number): string | null => {
  let fd: number
  try {
    fd = openSync(path, "r")
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null
    throw error
  }
  try {
    let buffer = Buffer.allocUnsafe(Math.min(fstatSync(fd).size, limit) + 1)
    let length = 0
    while (length <= limit) {
      if (length === buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, limit + 1))
        buffer.copy(grown, 0, 0, length)
        buffer = grown
      }
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    return buffer.toString("utf8", 0, length)
  } finally {
    closeSync(fd)
  }
}

export const make = (root: string): Context.Service.Shape<typeof ConfigSource> => {
  const base = resolve(root)
  return ConfigSource.of({
    // The same matcher as the CLI's fast path (configCache), so both see the same files.
    glob: (pattern) =>
      Effect.try({ try: () => globSync(base, pattern), catch: fileError(base, `search for "${pattern}" in`) }),
    read: (file) =>
      Effect.try({
        try: () => readAtMost(resolve(base, file), configLimits.fileBytes),
        catch: fileError(file, "read")
      }),
    write: Effect.fn("NodeConfigSource.write")(function* (file: string, text: string) {
      const path = resolve(base, file)
      // Write through a symlink to its target, so the link survives the rename.
      const target = (yield* attempt(path, "resolve", () => missingAsNull(realpath(path)))) ?? path
      const existing = yield* attempt(target, "stat", () => missingAsNull(stat(target)))
      yield* writeAtomic(target, text, existing === null ? undefined : existing.mode & 0o7777)
    })
  })
}

export const layer = (root: string): Layer.Layer<ConfigSource> => Layer.succeed(ConfigSource, make(root))
