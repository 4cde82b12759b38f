import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { FileError } from "./Errors.ts"

/** The fleet's files: config texts found by glob, `.env` files, atomic rewrite. Parsing is core's job. */
export class ConfigSource extends Context.Service<
  ConfigSource,
  {
    /** Absolute paths matching a glob relative to the fleet root, sorted. */
    readonly glob: (pattern: string) => Effect.Effect<ReadonlyArray<string>, FileError>
    /** The text, or null when the file does not exist. */
    readonly read: (file: string) => Effect.Effect<string | null, FileError>
    /** Atomic: temp file in the same folder + rename; keeps the file's mode. */
    readonly write: (file: string, text: string) => Effect.Effect<void, FileError>
  }
>()("@agentctl/core/ConfigSource") {}
