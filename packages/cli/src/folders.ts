/**
 * The folder work of `init` and `add`, on node directly as the shell layers are: whether a path
 * is taken, and making a folder. Files are written through ConfigSource (atomically).
 */
import { FileError } from "@agentctl/core/Errors"
import { errorCode } from "@agentctl/shell/errno"
import * as Effect from "effect/Effect"
import { lstatSync, mkdirSync, statSync } from "node:fs"

/**
 * Whether anything is at `path`, itself: a dangling symlink is something (writing there would
 * replace the link), and only ENOENT says there is nothing; any other failure is an error, not
 * a "no".
 */
export const isTaken = (path: string): Effect.Effect<boolean, FileError> =>
  Effect.try({
    try: () => lstatSync(path, { throwIfNoEntry: false }) !== undefined,
    catch: (error) => FileError.fromCause(path, "look at", error)
  })

/** Whether `path` is a folder (following links); false when nothing is there. */
export const isFolder = (path: string): Effect.Effect<boolean, FileError> =>
  Effect.try({
    try: () => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true,
    catch: (error) => FileError.fromCause(path, "look at", error)
  })

/**
 * Makes the folder `path` (with the folders above it when `parents`); true when it made it,
 * false when a folder was there already. The errno of a failure is kept (ENOENT: no parent).
 */
export const makeFolder = (path: string, parents: boolean): Effect.Effect<boolean, FileError> =>
  Effect.suspend(() => {
    try {
      if (parents) return Effect.succeed(mkdirSync(path, { recursive: true }) !== undefined)
      mkdirSync(path)
      return Effect.succeed(true)
    } catch (error) {
      if (errorCode(error) !== "EEXIST") return Effect.fail(FileError.fromCause(path, "create folder", error))
      return Effect.flatMap(isFolder(path), (folder) =>
        folder
          ? Effect.succeed(false)
          : Effect.fail(FileError.because(path, "create folder", { code: "EEXIST", detail: "a file is in its place" }))
      )
    }
  })
