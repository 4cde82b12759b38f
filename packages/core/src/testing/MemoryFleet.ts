import * as Effect from "effect/Effect"
import * as Glob from "effect/Glob"
import * as Layer from "effect/Layer"
import * as Path from "effect/Path"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { AgentLogs, type LogQuery } from "../AgentLogs.ts"
import { ConfigSource } from "../ConfigSource.ts"
import { FileError } from "../Errors.ts"
import { AgentHistoryJson, emptyHistory, parseHistory } from "../ExitHistory.ts"
import { Fleet } from "../Fleet.ts"
import { rawRecord } from "../LogRecord.ts"
import { PidRecordJson } from "../PidRecord.ts"
import { RunDir } from "../RunDir.ts"
import * as FakeFleetLock from "./FakeFleetLock.ts"
import { daemonlessLogUsage } from "../logUsageOf.ts"

export const fakeRoot = "/fleet"

/**
 * The fleet's files in memory: configs, `.env`, pid records and logs, all in one Ref'd map; and
 * the fleet lock, with a launcher a test can register (FakeFleetLock).
 */
export const makeLayer = (files: Readonly<Record<string, string>> = {}, hostEnv: Record<string, string> = {}) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const store = yield* Ref.make<ReadonlyMap<string, string>>(
        new Map(Object.entries(files).map(([k, v]) => [k.startsWith("/") ? k : `${fakeRoot}/${k}`, v]))
      )
      const read = (file: string) => Effect.map(Ref.get(store), (m) => m.get(file) ?? null)
      const write = (file: string, text: string) => Ref.update(store, (m) => new Map(m).set(file, text))
      const remove = (file: string) =>
        Ref.update(store, (m) => {
          const next = new Map(m)
          next.delete(file)
          return next
        })
      const runDir = `${fakeRoot}/run`
      const recordFile = (id: string) => `${runDir}/${id}.pid`
      const decode = Schema.decodeUnknownEffect(PidRecordJson)
      const historyFile = (id: string) => `${runDir}/history/${id}.json`
      const decodeHistory = Schema.decodeUnknownEffect(AgentHistoryJson)
      // Logs in memory are raw `run/<id>.log` text: stdout lines of unknown time, no seq.
      const rawLines = (id: string, query: LogQuery) =>
        Effect.map(read(`${runDir}/${id}.log`), (t) => {
          const known = query.since === null && query.until === null && query.afterSeq === null
          if (t === null || !known || query.stream === "stderr" || query.tail === 0) return []
          const all = (t.endsWith("\n") ? t.slice(0, -1) : t).split("\n").map(rawRecord)
          return query.tail === null ? all : all.slice(-query.tail)
        })
      return Layer.mergeAll(
        Layer.succeed(Fleet, Fleet.of({ root: fakeRoot, hostEnv })),
        Layer.succeed(
          ConfigSource,
          ConfigSource.of({
            glob: (pattern) =>
              Effect.map(Ref.get(store), (m) => {
                const g = Glob.make(pattern)
                return [...m.keys()]
                  .filter((f) => f.startsWith(`${fakeRoot}/`) && Glob.match(g, f.slice(fakeRoot.length + 1)))
                  .toSorted()
              }),
            read,
            write
          })
        ),
        Layer.succeed(
          RunDir,
          RunDir.of({
            dir: runDir,
            logFile: (id) => `${runDir}/${id}.log`,
            // As without a launcher: the raw log is all there is (no records in memory).
            logUsage: (agents) =>
              Effect.map(
                Ref.get(store),
                (m) =>
                  new Map(
                    agents.map(({ id, maxSize }) => {
                      const path = `${runDir}/${id}.log`
                      const bytes = new TextEncoder().encode(m.get(path) ?? "").length
                      return [id, daemonlessLogUsage(0, { path, bytes }, maxSize, null)] as const
                    })
                  )
              ),
            readPidRecord: (id) =>
              Effect.flatMap(read(recordFile(id)), (text) =>
                text === null
                  ? Effect.succeed(null)
                  : decode(text).pipe(
                      Effect.mapError((e) =>
                        FileError.because(recordFile(id), "parse", { code: null, detail: e.message })
                      )
                    )
              ),
            writePidRecord: (id, record) => write(recordFile(id), JSON.stringify(record)),
            removePidRecord: (id) => remove(recordFile(id)),
            recordedIds: Effect.map(Ref.get(store), (m) =>
              [...m.keys()]
                .flatMap((f) => {
                  const name = f.startsWith(`${runDir}/`) ? f.slice(runDir.length + 1) : ""
                  return /^[^/]+\.pid$/.test(name) && name !== "launcher.pid" ? [name.slice(0, -4)] : []
                })
                .toSorted()
            ),
            readHistory: (id) =>
              Effect.flatMap(read(historyFile(id)), (text) =>
                text === null
                  ? Effect.succeed(emptyHistory)
                  : decodeHistory(text).pipe(
                      Effect.mapError((e) =>
                        FileError.because(historyFile(id), parseHistory, { code: null, detail: e.message })
                      )
                    )
              ),
            writeHistory: (id, history) => write(historyFile(id), Schema.encodeSync(AgentHistoryJson)(history)),
            logSize: (file) => Effect.map(read(file), (t) => (t === null ? 0 : t.length)),
            tail: (file, lines) =>
              Effect.map(read(file), (t) => {
                if (t === null || lines <= 0) return []
                const all = t.endsWith("\n") ? t.slice(0, -1).split("\n") : t.split("\n")
                return all.slice(-lines)
              }),
            follow: () => Stream.empty,
            tailFollow: (file, lines) =>
              Stream.unwrap(
                Effect.map(read(file), (t) => {
                  if (t === null || lines <= 0) return Stream.empty
                  const all = t.endsWith("\n") ? t.slice(0, -1).split("\n") : t.split("\n")
                  return Stream.fromIterable(all.slice(-lines))
                })
              )
          })
        ),
        Layer.succeed(
          AgentLogs,
          AgentLogs.of({
            read: rawLines,
            // Nothing in memory grows by itself: what there is, then the end.
            follow: (id, query) => Stream.unwrap(Effect.map(rawLines(id, query), Stream.fromIterable)),
            files: (id) =>
              Effect.map(read(`${runDir}/${id}.log`), (t) =>
                t === null
                  ? []
                  : [{ path: `${runDir}/${id}.log`, bytes: t.length, compressed: false, kind: "raw" as const }]
              )
          })
        ),
        Path.layer,
        FakeFleetLock.layer
      )
    })
  )
