/**
 * ConfigSource on the local file system, relative to the fleet root.
 */
import { ConfigSource } from "@agentctl/core/ConfigSource"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readFile, realpath, stat } from "node:fs/promises"
import { resolve } from "node:path"
import { globSync } from "./globSync.ts"
import { errorCode } from "./errno.ts"
import { attempt, fileError, writeAtomic } from "./internal/files.ts"

const missingAsNull = <A>(promise: Promise<A>): Promise<A | null> =>
  promise.catch((error: unknown) => {
    if (errorCode(error) === "ENOENT") return null
    throw error
  })

export const make = (root: string): Context.Service.Shape<typeof ConfigSource> => {
  const base = resolve(root)
  return ConfigSource.of({
    // The same matcher as the CLI's fast path (configCache), so both see the same files.
    glob: (pattern) =>
      Effect.try({ try: () => globSync(base, pattern), catch: fileError(base, `search for "${pattern}" in`) }),
    read: (file) => attempt(file, "read", () => missingAsNull(readFile(resolve(base, file), "utf8"))),
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
