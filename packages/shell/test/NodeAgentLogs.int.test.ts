import { AgentLogs, everything, type LogQuery } from "@agentctl/core/AgentLogs"
import { rawLogFile } from "@agentctl/core/LogLayout"
import type { LogRecord } from "@agentctl/core/LogRecord"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { readdirSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { layer } from "../src/NodeAgentLogs.ts"
import { makeWriter, writeRaw } from "./logWriter.ts"
import { cleanup, tempDir } from "./support.ts"

const q = (query: Partial<LogQuery>): LogQuery => ({ ...everything, ...query })
const seqs = (records: ReadonlyArray<LogRecord>) => records.map((r) => r.seq)
const texts = (records: ReadonlyArray<LogRecord>) => records.map((r) => r.text)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

const withLogs = <A, E>(f: (logs: AgentLogs["Service"], runDir: string) => Effect.Effect<A, E>) => {
  const runDir = join(tempDir(), "run")
  return AgentLogs.use((logs) => f(logs, runDir)).pipe(Effect.provide(layer(runDir)))
}

/** 1..100 compressed, 101..200 rotated plain, 201..250 in current.log; `at` = 1_000_000 + seq. */
const threeFiles = async (runDir: string) => {
  const w = makeWriter(runDir, "a1")
  w.append(
    ...range(1, 100).map((i) => ({
      text: `line ${i}`,
      stream: i % 10 === 0 ? ("stderr" as const) : ("stdout" as const)
    }))
  )
  await w.rotate(true)
  w.append(
    ...range(101, 200).map((i) => ({
      text: `line ${i}`,
      stream: i % 10 === 0 ? ("stderr" as const) : ("stdout" as const)
    }))
  )
  await w.rotate(false)
  w.append(
    ...range(201, 250).map((i) => ({
      text: `line ${i}`,
      stream: i % 10 === 0 ? ("stderr" as const) : ("stdout" as const)
    }))
  )
  return w
}

describe("NodeAgentLogs read", () => {
  afterEach(cleanup)

  it.effect("a tail crosses current.log, a rotated file and a compressed one", () =>
    withLogs((logs, runDir) =>
      Effect.gen(function* () {
        yield* Effect.promise(() => threeFiles(runDir))
        expect(readdirSync(join(runDir, "logs", "a1")).toSorted()).toEqual([
          "0000000000000001.log.gz",
          "0000000000000101.log",
          "current.log"
        ])
        expect(seqs(yield* logs.read("a1", q({ tail: 10 })))).toEqual(range(241, 250))
        expect(seqs(yield* logs.read("a1", q({ tail: 170 })))).toEqual(range(81, 250))
        expect(seqs(yield* logs.read("a1", q({})))).toEqual(range(1, 250))
        expect(yield* logs.read("a1", q({ tail: 0 }))).toEqual([])
        const [last] = yield* logs.read("a1", q({ tail: 1 }))
        expect(last).toEqual({
          seq: 250,
          at: 1_000_250,
          stream: "stderr",
          text: "line 250",
          cut: false,
          partial: false
        })
      })
    )
  )

  it.effect("since, until, stream and afterSeq filter, across files", () =>
    withLogs((logs, runDir) =>
      Effect.gen(function* () {
        yield* Effect.promise(() => threeFiles(runDir))
        expect(seqs(yield* logs.read("a1", q({ since: 1_000_190 })))).toEqual(range(190, 250))
        expect(seqs(yield* logs.read("a1", q({ since: 1_000_050, until: 1_000_060 })))).toEqual(range(50, 60))
        expect(seqs(yield* logs.read("a1", q({ until: 1_000_005 })))).toEqual(range(1, 5))
        expect(seqs(yield* logs.read("a1", q({ until: 1_000_150, tail: 3 })))).toEqual([148, 149, 150])
        expect(seqs(yield* logs.read("a1", q({ stream: "stderr", tail: 4 })))).toEqual([220, 230, 240, 250])
        expect(seqs(yield* logs.read("a1", q({ stream: "stderr", since: 1_000_075, until: 1_000_125 })))).toEqual([
          80, 90, 100, 110, 120
        ])
        expect(seqs(yield* logs.read("a1", q({ afterSeq: 95 })))).toEqual(range(96, 250))
        expect(seqs(yield* logs.read("a1", q({ afterSeq: 95, tail: 2 })))).toEqual([249, 250])
        expect(yield* logs.read("a1", q({ afterSeq: 250 }))).toEqual([])
      })
    )
  )

  it.effect("x records are skipped; a partial is shown only as the newest of its stream; garbage is raw text", () =>
    withLogs((logs, runDir) =>
      Effect.gen(function* () {
        const w = makeWriter(runDir, "a1")
        w.append(
          { text: "hel", flag: "x" },
          { text: "hello" },
          { text: "err-part", flag: "q" },
          // completed, but its partial not yet rewritten to x: the partial is superseded
          { text: "wor", flag: "p" },
          { text: "world" },
          { text: "note", flag: "m" },
          { text: "long", flag: "O" }
        )
        w.appendGarbage("not a record")
        w.append({ text: "still typing", flag: "p" })
        const all = yield* logs.read("a1", q({}))
        expect(all.map((r) => [r.seq, r.stream, r.text, r.cut, r.partial])).toEqual([
          [2, "stdout", "hello", false, false],
          [3, "stderr", "err-part", false, true],
          [5, "stdout", "world", false, false],
          [6, "agentctl", "note", false, false],
          [7, "stdout", "long", true, false],
          [null, "stdout", "not a record", false, false],
          [8, "stdout", "still typing", false, true]
        ])
        // Of unknown time: left out once a time filter is set.
        expect(texts(yield* logs.read("a1", q({ since: 0 })))).not.toContain("not a record")
      })
    )
  )

  it.effect("the raw run/<id>.log: alone, after the records when newer, before them when older", () =>
    withLogs((logs, runDir) =>
      Effect.gen(function* () {
        writeRaw(runDir, "solo", ["one", "two\r", "three"])
        expect(yield* logs.read("solo", q({ tail: 2 }))).toEqual([
          { seq: null, at: null, stream: "stdout", text: "two", cut: false, partial: false },
          { seq: null, at: null, stream: "stdout", text: "three", cut: false, partial: false }
        ])
        expect(yield* logs.read("solo", q({ since: 0 }))).toEqual([])
        expect(yield* logs.read("nobody", q({}))).toEqual([])

        const w = makeWriter(runDir, "a1")
        w.append("rec 1", "rec 2")
        writeRaw(runDir, "a1", ["raw 1", "raw 2"])
        utimesSync(w.current, new Date(1000), new Date(1000))
        expect(texts(yield* logs.read("a1", q({})))).toEqual(["rec 1", "rec 2", "raw 1", "raw 2"])
        expect(texts(yield* logs.read("a1", q({ tail: 3 })))).toEqual(["rec 2", "raw 1", "raw 2"])
        utimesSync(rawLogFile(runDir, "a1"), new Date(500), new Date(500))
        expect(texts(yield* logs.read("a1", q({})))).toEqual(["raw 1", "raw 2", "rec 1", "rec 2"])
        expect(texts(yield* logs.read("a1", q({ tail: 3 })))).toEqual(["raw 2", "rec 1", "rec 2"])
      })
    )
  )

  it.effect("a damaged compressed file fails with a FileError naming it", () =>
    withLogs((logs, runDir) =>
      Effect.gen(function* () {
        yield* Effect.promise(() => threeFiles(runDir))
        const gz = join(runDir, "logs", "a1", "0000000000000001.log.gz")
        writeFileSync(gz, "garbage, not gzip")
        const error = yield* Effect.flip(logs.read("a1", q({})))
        expect(error._tag).toBe("FileError")
        expect(error.path).toBe(gz)
        expect(error.message).toContain(gz)
        // What does not reach that far back still reads.
        expect(seqs(yield* logs.read("a1", q({ tail: 5 })))).toEqual(range(246, 250))
      })
    )
  )

  it.effect("files: every file with its size, oldest first", () =>
    withLogs((logs, runDir) =>
      Effect.gen(function* () {
        yield* Effect.promise(() => threeFiles(runDir))
        writeRaw(runDir, "a1", ["raw"])
        const files = yield* logs.files("a1")
        expect(files.map((f) => [f.path.slice(runDir.length), f.kind, f.compressed])).toEqual([
          ["/a1.log", "raw", false],
          ["/logs/a1/0000000000000001.log.gz", "rotated", true],
          ["/logs/a1/0000000000000101.log", "rotated", false],
          ["/logs/a1/current.log", "current", false]
        ])
        expect(files.every((f) => f.bytes > 0)).toBe(true)
        expect(yield* logs.files("nobody")).toEqual([])
      })
    )
  )
})

const collect = (stream: Stream.Stream<LogRecord, unknown>) =>
  Effect.gen(function* () {
    const seen = yield* Ref.make<ReadonlyArray<LogRecord>>([])
    const fiber = yield* Effect.forkChild(Stream.runForEach(stream, (r) => Ref.update(seen, (all) => [...all, r])))
    const waitFor = (done: (records: ReadonlyArray<LogRecord>) => boolean) =>
      Effect.gen(function* () {
        for (let i = 0; i < 300; i++) {
          if (done(yield* Ref.get(seen))) return yield* Ref.get(seen)
          yield* Effect.sleep("50 millis")
        }
        return expect.fail(`timed out; saw ${JSON.stringify(seqs(yield* Ref.get(seen)))}`)
      })
    return { waitFor, stop: Fiber.interrupt(fiber), seen: Ref.get(seen) }
  })

describe("NodeAgentLogs follow", () => {
  afterEach(cleanup)

  it.live("the tail, then every record once, in order, while a writer appends and rotates twice", () =>
    withLogs((logs, runDir) =>
      Effect.gen(function* () {
        const w = makeWriter(runDir, "a1")
        w.append(...range(1, 30).map((i) => `line ${i}`))
        const follower = yield* collect(logs.follow("a1", q({ tail: 5 })))
        yield* follower.waitFor((r) => r.length >= 5)
        // The writer runs beside the follower: appends, a rotation with compression, more, a plain rotation.
        yield* Effect.promise(async () => {
          for (let round = 0; round < 3; round++) {
            for (let i = 0; i < 40; i++) {
              w.append(`w${round}-${i}`, { text: "typing", flag: "p" })
              await new Promise((r) => setTimeout(r, 2))
            }
            if (round < 2) await w.rotate(round === 0)
          }
        })
        const final = w.seq
        const records = yield* follower.waitFor((r) => r.at(-1)?.seq === final - 1)
        yield* follower.stop
        expect(records.slice(0, 5).map((r) => r.seq)).toEqual(range(26, 30))
        const after = records.slice(5)
        // Every whole line written after the tail exactly once, in order; no partial lines.
        expect(after.map((r) => r.seq)).toEqual(range(31, final).filter((s) => (s - 31) % 2 === 0))
        expect(after.every((r) => !r.partial && r.text.startsWith("w"))).toBe(true)
      })
    )
  )

  it.live("afterSeq resumes exactly after it; the raw log and a not-yet-existing current.log are followed", () =>
    withLogs((logs, runDir) =>
      Effect.gen(function* () {
        writeRaw(runDir, "a1", ["old raw"])
        const follower = yield* collect(logs.follow("a1", q({ tail: 10 })))
        yield* follower.waitFor((r) => r.length === 1)
        yield* Effect.sync(() => writeFileSync(rawLogFile(runDir, "a1"), "old raw\nnew raw\n"))
        yield* follower.waitFor((r) => r.length === 2)
        const w = makeWriter(runDir, "a1")
        w.append("first record", "second record")
        const all = yield* follower.waitFor((r) => r.length === 4)
        yield* follower.stop
        expect(texts(all)).toEqual(["old raw", "new raw", "first record", "second record"])

        const resumed = yield* collect(logs.follow("a1", q({ afterSeq: 1 })))
        w.append("third record")
        const got = yield* resumed.waitFor((r) => r.length === 2)
        yield* resumed.stop
        expect(got.map((r) => [r.seq, r.text])).toEqual([
          [2, "second record"],
          [3, "third record"]
        ])
      })
    )
  )
})
