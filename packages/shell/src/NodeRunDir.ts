/**
 * RunDir on the local file system: `<runDir>/<id>.pid` (JSON, PidRecordJson) and `<runDir>/<id>.log`.
 */
import { FileError } from "@agentctl/core/Errors"
import { type PidRecord, PidRecordJson } from "@agentctl/core/PidRecord"
import { RunDir } from "@agentctl/core/RunDir"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { mkdir, readFile, rm, stat } from "node:fs/promises"
import { join, resolve } from "node:path"
import { errorCode } from "./errno.ts"
import { attempt, writeAtomic } from "./internal/files.ts"
import { follow, tail, tailThenFollow } from "./internal/logLines.ts"
import { daemonlessUsage, UsageSummaryInvalid, usageSummaryFile } from "./logs/usageSummary.ts"

const decodeRecord = Schema.decodeUnknownEffect(PidRecordJson)
const encodeRecord = Schema.encodeSync(PidRecordJson)

const logSize = (file: string) =>
  attempt(file, "stat", () =>
    stat(file).then(
      (s) => s.size,
      (error: unknown) => {
        if (errorCode(error) === "ENOENT") return 0
        throw error
      }
    )
  )

/** The file a failed fs call named. */
const failedPath = (error: unknown): string | null =>
  typeof error === "object" && error !== null && "path" in error && typeof error.path === "string" ? error.path : null

export const make = (runDir: string): Context.Service.Shape<typeof RunDir> => {
  const dir = resolve(runDir)
  const pidFile = (id: string) => join(dir, `${id}.pid`)

  const readPidRecord = Effect.fn("NodeRunDir.readPidRecord")(function* (id: string) {
    const file = pidFile(id)
    const text = yield* attempt(file, "read", () =>
      readFile(file, "utf8").catch((error: unknown) => {
        if (errorCode(error) === "ENOENT") return null
        throw error
      })
    )
    if (text === null) return null
    return yield* decodeRecord(text).pipe(
      Effect.mapError((error) =>
        FileError.because(file, "parse pid record", {
          code: null,
          detail: error.message.replace(/\s*\n\s*/g, " "),
          cause: error
        })
      )
    )
  })

  const writePidRecord = Effect.fn("NodeRunDir.writePidRecord")(function* (id: string, record: PidRecord) {
    const file = pidFile(id)
    yield* attempt(dir, "create folder", () => mkdir(dir, { recursive: true }))
    yield* writeAtomic(file, encodeRecord(record) + "\n")
  })

  const removePidRecord = (id: string) => {
    const file = pidFile(id)
    return attempt(file, "remove", () => rm(file, { force: true }))
  }

  return RunDir.of({
    dir,
    logFile: (id) => join(dir, `${id}.log`),
    readPidRecord,
    writePidRecord,
    removePidRecord,
    logSize,
    logUsage: (agents) =>
      Effect.try({
        try: () => daemonlessUsage(dir, agents),
        catch: (error) =>
          error instanceof UsageSummaryInvalid
            ? FileError.because(error.path, "read", {
                code: null,
                detail: "not a log usage summary written by agentctl"
              })
            : FileError.fromCause(failedPath(error) ?? usageSummaryFile(dir), "read", error)
      }),
    tail,
    follow,
    tailFollow: tailThenFollow
  })
}

export const layer = (runDir: string): Layer.Layer<RunDir> => Layer.succeed(RunDir, make(runDir))
