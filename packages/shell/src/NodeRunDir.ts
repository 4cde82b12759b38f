/**
 * RunDir on the local file system: `<runDir>/<id>.pid` (JSON, PidRecordJson), `<runDir>/<id>.log`
 * and `<runDir>/history/<id>.json` (AgentHistoryJson).
 */
import { isAgentId } from "@agentctl/core/AgentId"
import { FileError } from "@agentctl/core/Errors"
import { type AgentHistory, AgentHistoryJson, emptyHistory, parseHistory } from "@agentctl/core/ExitHistory"
import { type PidRecord, PidRecordJson } from "@agentctl/core/PidRecord"
import { RunDir } from "@agentctl/core/RunDir"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import { mkdir, readdir, rm, stat } from "node:fs/promises"
import { join, resolve } from "node:path"
import { errorCode } from "./errno.ts"
import { attempt, type Durability, writeAtomic } from "./internal/files.ts"
import { follow, tail, tailThenFollow } from "./internal/logLines.ts"
import { daemonlessUsage, UsageSummaryInvalid, usageSummaryFile } from "./logs/usageSummary.ts"

const decodeRecord = Schema.decodeUnknownEffect(PidRecordJson)
const encodeRecord = Schema.encodeSync(PidRecordJson)
const decodeHistory = Schema.decodeUnknownEffect(AgentHistoryJson)
const encodeHistory = Schema.encodeSync(AgentHistoryJson)

/**
 * A file's text, null when it does not exist. A direct read: these files are a few hundred
 * bytes, and the promise API's four thread-pool round trips cost more than the read (see
 * writeAtomic), 100 of them before a `start --all` of 100 agents.
 */
const readIfExists = (file: string): Effect.Effect<string | null, FileError> =>
  Effect.try({
    try: () => {
      try {
        return readFileSync(file, "utf8")
      } catch (error) {
        if (errorCode(error) === "ENOENT") return null
        throw error
      }
    },
    catch: (error) => FileError.fromCause(file, "read", error)
  })

/** A schema's complaint on one line, for a FileError's detail. */
const oneLine = (message: string) => message.replace(/\s*\n\s*/g, " ")

/** `file` decoded by `decode`, `missing` when it does not exist; a bad one is a FileError of `operation`. */
const readDecoded = <A, B>(
  file: string,
  decode: (text: string) => Effect.Effect<A, Schema.SchemaError>,
  operation: string,
  missing: B
): Effect.Effect<A | B, FileError> =>
  Effect.flatMap(readIfExists(file), (text): Effect.Effect<A | B, FileError> =>
    text === null
      ? Effect.succeed(missing)
      : decode(text).pipe(
          Effect.mapError((error) =>
            FileError.because(file, operation, { code: null, detail: oneLine(error.message), cause: error })
          )
        )
  )

/**
 * Replace `file` in `folder` atomically, making the folder when the write finds it missing: a
 * mkdir before every write was a syscall per agent on a `start --all`, for a folder that is
 * there all but once.
 */
const writeIn = (folder: string, file: string, text: string, durability?: Durability) => {
  const write = writeAtomic(file, text, undefined, durability)
  return write.pipe(
    Effect.catchIf(
      (e) => e.code === "ENOENT",
      () =>
        Effect.andThen(
          attempt(folder, "create folder", () => mkdir(folder, { recursive: true })),
          write
        )
    )
  )
}

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
    return yield* readDecoded(pidFile(id), decodeRecord, "parse pid record", null)
  })

  const writePidRecord = Effect.fn("NodeRunDir.writePidRecord")(function* (id: string, record: PidRecord) {
    yield* writeIn(dir, pidFile(id), encodeRecord(record) + "\n", "boot")
  })

  const removePidRecord = (id: string) => {
    const file = pidFile(id)
    return attempt(file, "remove", () => rm(file, { force: true }))
  }

  const recordedIds = attempt(dir, "list", async () => {
    const names = await readdir(dir).catch((e: unknown) => {
      if (errorCode(e) === "ENOENT") return []
      throw e
    })
    // launcher.pid is the launcher's own record.
    return names
      .flatMap((n) => (n.endsWith(".pid") && n !== "launcher.pid" ? [n.slice(0, -4)] : []))
      .filter(isAgentId)
      .toSorted()
  })

  const historyDir = join(dir, "history")
  const historyFile = (id: string) => join(historyDir, `${id}.json`)

  const readHistory = Effect.fn("NodeRunDir.readHistory")(function* (id: string) {
    return yield* readDecoded(historyFile(id), decodeHistory, parseHistory, emptyHistory)
  })

  const writeHistory = Effect.fn("NodeRunDir.writeHistory")(function* (id: string, history: AgentHistory) {
    yield* writeIn(historyDir, historyFile(id), encodeHistory(history) + "\n")
  })

  return RunDir.of({
    dir,
    logFile: (id) => join(dir, `${id}.log`),
    readPidRecord,
    writePidRecord,
    removePidRecord,
    recordedIds,
    readHistory,
    writeHistory,
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
