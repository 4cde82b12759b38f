/**
 * AgentLogs over the files under `run/` (LogLayout.ts): history reading in internal/logHistory.ts,
 * following in internal/logFollow.ts.
 */
import { AgentLogs, type LogFile, type LogQuery } from "@agentctl/core/AgentLogs"
import { agentLogDir, currentLogFile, parseRotatedName, rawLogFile } from "@agentctl/core/LogLayout"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readdir, stat } from "node:fs/promises"
import { join, resolve } from "node:path"
import { errorCode } from "./errno.ts"
import { followHistory } from "./internal/logFollow.ts"
import { onPath, readHistory, snapshot, toFileError } from "./internal/logHistory.ts"

const sizeOrNull = (path: string) =>
  onPath(path, "stat", () =>
    stat(path).then(
      (s) => s.size,
      (error: unknown) => (errorCode(error) === "ENOENT" ? null : Promise.reject(error))
    )
  )

export const make = (runDir: string): Context.Service.Shape<typeof AgentLogs> => {
  const dir = resolve(runDir)

  const read = Effect.fn("NodeAgentLogs.read")(function* (id: string, query: LogQuery) {
    if (query.tail !== null && query.tail <= 0) return []
    return yield* Effect.tryPromise({
      try: async () => {
        const snap = await snapshot(dir, id)
        try {
          return (await readHistory(snap, query, true)).records
        } finally {
          await snap.current?.handle.close()
        }
      },
      catch: toFileError(agentLogDir(dir, id))
    })
  })

  const files = Effect.fn("NodeAgentLogs.files")(function* (id: string) {
    const logDir = agentLogDir(dir, id)
    return yield* Effect.tryPromise({
      try: async (): Promise<ReadonlyArray<LogFile>> => {
        const names = await onPath(logDir, "list", () =>
          readdir(logDir).catch((error: unknown) =>
            errorCode(error) === "ENOENT" ? ([] as Array<string>) : Promise.reject(error)
          )
        )
        const rotated = names.filter((n) => parseRotatedName(n) !== null).toSorted()
        const entries: Array<Omit<LogFile, "bytes"> & { readonly bytes: Promise<number | null> }> = [
          { path: rawLogFile(dir, id), compressed: false, kind: "raw", bytes: sizeOrNull(rawLogFile(dir, id)) },
          ...rotated.map((name) => ({
            path: join(logDir, name),
            compressed: parseRotatedName(name)!.compressed,
            kind: "rotated" as const,
            bytes: sizeOrNull(join(logDir, name))
          })),
          {
            path: currentLogFile(dir, id),
            compressed: false,
            kind: "current",
            bytes: sizeOrNull(currentLogFile(dir, id))
          }
        ]
        const sized = await Promise.all(entries.map(async (e) => ({ ...e, bytes: await e.bytes })))
        // A file gone between the listing and its stat (rotated, compressed) is not there to count.
        return sized.filter((e): e is LogFile => e.bytes !== null)
      },
      catch: toFileError(logDir)
    })
  })

  return AgentLogs.of({
    read,
    follow: (id, query) => followHistory(dir, id, query),
    files
  })
}

/** AgentLogs for the fleet whose run folder is `runDir`. */
export const layer = (runDir: string): Layer.Layer<AgentLogs> => Layer.succeed(AgentLogs, make(runDir))
