import type { PidRecord } from "@agentctl/core/PidRecord"
import { RunDir } from "@agentctl/core/RunDir"
import { afterEach, describe, expect, it } from "@effect/vitest"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import {
  appendFileSync,
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { join } from "node:path"
import { followFrom, FOLLOW_INTERVAL } from "../src/internal/logLines.ts"
import { layer } from "../src/NodeRunDir.ts"
import { cleanup, tempDir, waitFor } from "./support.ts"

const record: PidRecord = { pid: 4242, startTime: 123456, bootId: "b-1", startedAt: 1_700_000_000_000 }

const withRunDir = <A, E>(f: (runDir: Context.Service.Shape<typeof RunDir>, dir: string) => Effect.Effect<A, E>) => {
  const dir = tempDir()
  return RunDir.use((runDir) => f(runDir, dir)).pipe(Effect.provide(layer(join(dir, "run"))))
}

describe("NodeRunDir pid records", () => {
  afterEach(cleanup)

  it.effect("round-trips a record; a missing one is null; remove is idempotent", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        expect(yield* runDir.readPidRecord("a1")).toBeNull()
        yield* runDir.writePidRecord("a1", record)
        expect(yield* runDir.readPidRecord("a1")).toEqual(record)
        yield* runDir.writePidRecord("a1", { ...record, startTime: null })
        expect(yield* runDir.readPidRecord("a1")).toEqual({ ...record, startTime: null })
        yield* runDir.removePidRecord("a1")
        yield* runDir.removePidRecord("a1")
        expect(yield* runDir.readPidRecord("a1")).toBeNull()
      })
    )
  )

  it.effect("a run/ removed between writes is made again by the next one", () =>
    withRunDir((runDir, dir) =>
      Effect.gen(function* () {
        yield* runDir.writePidRecord("a1", record)
        rmSync(join(dir, "run"), { recursive: true })
        yield* runDir.writePidRecord("a2", record)
        expect(yield* runDir.readPidRecord("a2")).toEqual(record)
      })
    )
  )

  it.effect("writes atomically: the folder holds the record and no temp files", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        yield* Effect.forEach(["a1", "a2", "a1", "a3", "a1"], (id) => runDir.writePidRecord(id, record), {
          concurrency: "unbounded"
        })
        expect(readdirSync(runDir.dir).toSorted()).toEqual(["a1.pid", "a2.pid", "a3.pid"])
      })
    )
  )

  it.effect("a failed write leaves no temp file and says which file", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        yield* runDir.writePidRecord("a1", record)
        // A non-empty folder where the record should go: rename(2) over it fails.
        const blocker = join(runDir.dir, "a2.pid")
        mkdirSync(join(blocker, "child"), { recursive: true })
        const error = yield* Effect.flip(runDir.writePidRecord("a2", record))
        expect(error).toMatchObject({ _tag: "FileError", path: blocker })
        expect(error.message).toContain(blocker)
        expect(readdirSync(runDir.dir).toSorted()).toEqual(["a1.pid", "a2.pid"])
      })
    )
  )

  it.effect("a corrupt record is a FileError naming the file and the problem", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        yield* runDir.writePidRecord("a1", record)
        const file = join(runDir.dir, "a1.pid")
        writeFileSync(file, "{not json")
        const notJson = yield* Effect.flip(runDir.readPidRecord("a1"))
        expect(notJson).toMatchObject({ _tag: "FileError", path: file, operation: "parse pid record", code: null })
        expect(notJson.message).toContain(`cannot parse pid record ${file}: `)
        writeFileSync(file, JSON.stringify({ ...record, pid: "x" }))
        const badField = yield* Effect.flip(runDir.readPidRecord("a1"))
        expect(badField.message).toContain("pid")
      })
    )
  )

  it.effect("logFile and logSize", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        const file = runDir.logFile("a1")
        expect(file).toBe(join(runDir.dir, "a1.log"))
        expect(yield* runDir.logSize(file)).toBe(0)
        yield* runDir.writePidRecord("a1", record)
        writeFileSync(file, "hello\n")
        expect(yield* runDir.logSize(file)).toBe(6)
      })
    )
  )
})

/** The oracle: split the whole text. */
const lastLines = (text: string, n: number): Array<string> => {
  if (n <= 0 || text === "") return []
  const body = text.endsWith("\n") ? text.slice(0, -1) : text
  return body
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .slice(-n)
}

describe("NodeRunDir.tail", () => {
  afterEach(cleanup)

  const big = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${"x".repeat(i % 97)} é`).join("\n")
  const cases = [
    { name: "trailing newline", text: big + "\n" },
    { name: "no trailing newline", text: big },
    { name: "CRLF", text: big.replace(/\n/g, "\r\n") + "\r\n" },
    { name: "a line longer than a chunk", text: `first\n${"y".repeat(200_000)}\nlast\n` }
  ]
  for (const { name, text } of cases) {
    it.effect(`${name}: exactly the last n lines`, () =>
      withRunDir((runDir, dir) =>
        Effect.gen(function* () {
          const file = join(dir, "big.log")
          writeFileSync(file, text)
          for (const n of [0, 1, 2, 3, 10, 1000, 5000, 59_999, 60_000, 100_000]) {
            expect(yield* runDir.tail(file, n), `n=${n}`).toEqual(lastLines(text, n))
          }
        })
      )
    )
  }

  it.effect.each(
    [
      { text: "", n: 5, expected: [] },
      { text: "\n", n: 5, expected: [""] },
      { text: "a", n: 5, expected: ["a"] },
      { text: "a\n", n: 1, expected: ["a"] },
      { text: "a\nb", n: 1, expected: ["b"] },
      { text: "a\nb\n", n: 5, expected: ["a", "b"] },
      { text: "a\n\nb\n", n: 2, expected: ["", "b"] },
      { text: "a\r\nb\r\n", n: 5, expected: ["a", "b"] },
      { text: "a\r\nb", n: 1, expected: ["b"] },
      { text: "\n\n", n: 5, expected: ["", ""] }
    ].map((c) => ({ ...c, name: JSON.stringify(c.text) }))
  )("a tiny file $name, n=$n", ({ text, n, expected }) =>
    withRunDir((runDir, dir) =>
      Effect.gen(function* () {
        const file = join(dir, "tiny.log")
        writeFileSync(file, text)
        expect(yield* runDir.tail(file, n)).toEqual(expected)
      })
    )
  )

  it.effect("a missing file has no lines", () =>
    withRunDir((runDir, dir) =>
      Effect.map(runDir.tail(join(dir, "nope.log"), 10), (lines) => expect(lines).toEqual([]))
    )
  )

  it.effect("reads from the end: a 16 GiB (sparse) file costs what its last lines cost", () =>
    withRunDir((runDir, dir) =>
      Effect.gen(function* () {
        const file = join(dir, "huge.log")
        const fd = openSync(file, "w")
        ftruncateSync(fd, 16 * 1024 ** 3)
        closeSync(fd)
        appendFileSync(file, "\nsecond to last\nlast\n")
        // Reading it all would need a 16 GiB buffer, which Node refuses.
        expect(yield* runDir.tail(file, 2)).toEqual(["second to last", "last"])
      })
    )
  )
})

const collect = (stream: Stream.Stream<string, unknown>) =>
  Effect.gen(function* () {
    const seen: Array<string> = []
    const fiber = yield* Effect.forkChild(Stream.runForEach(stream, (line) => Effect.sync(() => seen.push(line))))
    return { seen, fiber }
  })

/** Lines other than the "sync" lines `arm` wrote. */
const real = (seen: ReadonlyArray<string>) => seen.filter((line) => line !== "sync")

/**
 * The follower reads its starting size when the stream starts, at a moment the test cannot see:
 * append "sync" lines until one comes through, so whatever is appended next is after the start.
 */
const arm = (file: string, seen: ReadonlyArray<string>) =>
  Effect.promise(() =>
    waitFor("the follower to start", () => {
      if (seen.includes("sync")) return true
      appendFileSync(file, "sync\n")
      return undefined
    })
  )

const until = (seen: ReadonlyArray<string>, expected: ReadonlyArray<string>) =>
  Effect.promise(() =>
    waitFor(`lines ${JSON.stringify(expected)} (have ${JSON.stringify(real(seen))})`, () =>
      real(seen).length >= expected.length ? true : undefined
    )
  ).pipe(Effect.andThen(Effect.sync(() => expect(real(seen)).toEqual(expected))))

describe("NodeRunDir.follow", () => {
  afterEach(cleanup)

  it.live("emits only lines appended after the call, joining partial writes, CRLF tolerated", () =>
    withRunDir((runDir, dir) =>
      Effect.gen(function* () {
        const file = join(dir, "a.log")
        writeFileSync(file, "old 1\nold 2\n")
        const { seen, fiber } = yield* collect(runDir.follow(file))
        yield* arm(file, seen)
        appendFileSync(file, "new 1\npart")
        yield* until(seen, ["new 1"])
        appendFileSync(file, "ial\r\n")
        yield* until(seen, ["new 1", "partial"])
        expect(seen).not.toContain("old 1")
        yield* Fiber.interrupt(fiber)
      })
    )
  )

  it.live("survives truncation and rotation, reading the new file from its start", () =>
    withRunDir((runDir, dir) =>
      Effect.gen(function* () {
        const file = join(dir, "a.log")
        writeFileSync(file, "x".repeat(1000) + "\n")
        const { seen, fiber } = yield* collect(runDir.follow(file))
        yield* arm(file, seen)
        appendFileSync(file, "before\n")
        yield* until(seen, ["before"])
        writeFileSync(file, "after truncate\n")
        yield* until(seen, ["before", "after truncate"])
        renameSync(file, file + ".1")
        writeFileSync(file, "rotated 1\nrotated 2\n")
        yield* until(seen, ["before", "after truncate", "rotated 1", "rotated 2"])
        yield* Fiber.interrupt(fiber)
      })
    )
  )

  it.live("a file deleted and recreated is read from its start", () =>
    withRunDir((runDir, dir) =>
      Effect.gen(function* () {
        const file = join(dir, "a.log")
        writeFileSync(file, "")
        const { seen, fiber } = yield* collect(runDir.follow(file))
        yield* arm(file, seen)
        // Written before the delete, so it cannot reuse the old inode number.
        writeFileSync(file + ".new", "first\nsecond\n")
        rmSync(file)
        renameSync(file + ".new", file)
        yield* until(seen, ["first", "second"])
        yield* Fiber.interrupt(fiber)
      })
    )
  )

  it.effect("waits for a missing file, on the Effect clock (TestClock drives the polling)", () =>
    Effect.gen(function* () {
      const file = join(tempDir(), "later.log")
      const { seen, fiber } = yield* collect(followFrom(file, null))
      const tick = Effect.andThen(
        TestClock.adjust(FOLLOW_INTERVAL),
        Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
      )
      for (let i = 0; i < 5; i++) yield* tick
      expect(seen).toEqual([])
      writeFileSync(file, "first\nsecond\n")
      for (let i = 0; i < 2000 && seen.length < 2; i++) yield* tick
      expect(seen).toEqual(["first", "second"])
      yield* Fiber.interrupt(fiber)
    })
  )
})

describe("NodeRunDir.tailFollow", () => {
  afterEach(cleanup)

  it.live("the last lines, then every appended line: none lost or repeated in between", () =>
    withRunDir((runDir, dir) =>
      Effect.gen(function* () {
        const file = join(dir, "a.log")
        writeFileSync(file, "old 1\nold 2\nold 3\n")
        const { seen, fiber } = yield* collect(runDir.tailFollow(file, 2))
        // Appended right away, racing the start of the follow: it must appear exactly once.
        appendFileSync(file, "new 1\n")
        yield* Effect.promise(() => waitFor("new 1", () => (seen.includes("new 1") ? true : undefined)))
        appendFileSync(file, "new 2\n")
        yield* Effect.promise(() => waitFor("new 2", () => (seen.includes("new 2") ? true : undefined)))
        // The tail is of the file when the stream starts ("new 1" may or may not be in it yet):
        // whichever, what comes out is an unbroken run of the file's last lines, none twice.
        const all = ["old 1", "old 2", "old 3", "new 1", "new 2"]
        expect([3, 4]).toContain(seen.length)
        expect(seen).toEqual(all.slice(all.length - seen.length))
        yield* Fiber.interrupt(fiber)
      })
    )
  )
})
