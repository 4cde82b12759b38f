import { type AgentHistory, emptyHistory, type ExitRecord, maxExits, parseHistory } from "@agentctl/core/ExitHistory"
import { recordExit } from "@agentctl/core/recordExits"
import { RunDir } from "@agentctl/core/RunDir"
import { afterEach, describe, expect, it } from "@effect/vitest"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { layer } from "../src/NodeRunDir.ts"
import { cleanup, tempDir } from "./support.ts"

const withRunDir = <A, E>(f: (runDir: Context.Service.Shape<typeof RunDir>) => Effect.Effect<A, E, RunDir>) =>
  Effect.flatMap(RunDir, f).pipe(Effect.provide(layer(join(tempDir(), "run"))))

const exit = (at: number): ExitRecord => ({ at, pid: 4242, code: 1, signal: null, reason: "crashed", uptime: 2.5 })

describe("NodeRunDir exit histories", () => {
  afterEach(cleanup)

  it.effect("none is the empty history; a written one reads back from run/history/<id>.json", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        expect(yield* runDir.readHistory("a1")).toEqual(emptyHistory)
        const history: AgentHistory = { restarts: 3, exits: [exit(2), exit(1)] }
        yield* runDir.writeHistory("a1", history)
        expect(yield* runDir.readHistory("a1")).toEqual(history)
        const file = join(runDir.dir, "history", "a1.json")
        expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(history)
      })
    )
  )

  it.effect("writes atomically: concurrent writes leave whole files and no temp files", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        yield* Effect.forEach(
          [1, 2, 3, 4, 5, 6],
          (n) => runDir.writeHistory(n % 2 === 0 ? "a1" : "a2", { restarts: n, exits: [exit(n)] }),
          { concurrency: "unbounded" }
        )
        expect(readdirSync(join(runDir.dir, "history")).toSorted()).toEqual(["a1.json", "a2.json"])
        expect([2, 4, 6]).toContain((yield* runDir.readHistory("a1")).restarts)
        expect([1, 3, 5]).toContain((yield* runDir.readHistory("a2")).restarts)
      })
    )
  )

  it.effect("a corrupt file is a FileError naming the file and the problem", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        const file = join(runDir.dir, "history", "a1.json")
        mkdirSync(join(runDir.dir, "history"), { recursive: true })
        writeFileSync(file, "{not json")
        const notJson = yield* Effect.flip(runDir.readHistory("a1"))
        expect(notJson).toMatchObject({ _tag: "FileError", path: file, operation: parseHistory, code: null })
        expect(notJson.message).toContain(`cannot ${parseHistory} ${file}: `)
        writeFileSync(file, JSON.stringify({ restarts: 1, exits: [{ ...exit(1), reason: "exploded" }] }))
        expect((yield* Effect.flip(runDir.readHistory("a1"))).message).toContain("reason")
      })
    )
  )

  it.effect(`recordExit keeps the newest ${maxExits}, newest first, with the count it is given`, () =>
    withRunDir(() =>
      Effect.gen(function* () {
        for (let at = 1; at <= maxExits + 5; at++) expect(yield* recordExit("a1", exit(at), at)).toBeNull()
        const history = yield* (yield* RunDir).readHistory("a1")
        expect(history.restarts).toBe(maxExits + 5)
        expect(history.exits.map((e) => e.at)).toEqual(Array.from({ length: maxExits }, (_, i) => maxExits + 5 - i))
        yield* recordExit("a1", exit(1000), "keep")
        expect((yield* (yield* RunDir).readHistory("a1")).restarts).toBe(maxExits + 5)
      })
    )
  )

  it.effect("recordExit replaces a corrupt file, and returns the error it gave", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        const file = join(runDir.dir, "history", "a1.json")
        mkdirSync(join(runDir.dir, "history"), { recursive: true })
        writeFileSync(file, "[]")
        const replaced = yield* recordExit("a1", exit(7), 2)
        expect(replaced).toMatchObject({ _tag: "FileError", path: file, operation: parseHistory })
        expect(yield* runDir.readHistory("a1")).toEqual({ restarts: 2, exits: [exit(7)] })
      })
    )
  )

  it.effect("an unreadable file is not taken for a corrupt one: recordExit fails and leaves it", () =>
    withRunDir((runDir) =>
      Effect.gen(function* () {
        // A folder where the file should be: reading it fails with EISDIR, not a parse error.
        const file = join(runDir.dir, "history", "a1.json")
        mkdirSync(join(file, "child"), { recursive: true })
        const error = yield* Effect.flip(recordExit("a1", exit(7), 2))
        expect(error).toMatchObject({ _tag: "FileError", path: file, operation: "read", code: "EISDIR" })
        expect(readdirSync(file)).toEqual(["child"])
      })
    )
  )
})
