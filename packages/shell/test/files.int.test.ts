import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawnSync } from "node:child_process"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { writeAtomic } from "../src/internal/files.ts"
import { cleanup, isAlive, runToExit, startDetached, tempDir } from "./support.ts"

const tmpOf = (file: string, pid: number, n = 0) => `${file}.${pid}.${Date.now().toString(36)}.${n.toString(36)}.tmp`

describe("writeAtomic: temp files of writers that died", () => {
  afterEach(cleanup)

  it.effect("a writer SIGKILLed mid-write leaves its temp file; the next write of that file removes it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = join(dir, "config.yaml")
      writeFileSync(file, "old\n")
      // What a writer killed between open and rename leaves: its temp file, named as writeAtomic names them.
      const script = `require("fs").writeFileSync(${JSON.stringify(file)} + "." + process.pid + "." + Date.now().toString(36) + ".0.tmp", "half"); process.kill(process.pid, "SIGKILL")`
      const killed = spawnSync(process.execPath, ["-e", script])
      expect(killed.signal).toBe("SIGKILL")
      expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toHaveLength(1)

      yield* writeAtomic(file, "new\n")
      expect(readdirSync(dir)).toEqual(["config.yaml"])
      expect(readFileSync(file, "utf8")).toBe("new\n")
    })
  )

  it.effect("keeps temp files of live writers (ours included), of other files, and files of other names", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = join(dir, "config.yaml")
      const dead = yield* Effect.promise(() => runToExit("true", []))
      const live = yield* Effect.promise(() => startDetached("sleep", ["600"]))
      expect(isAlive(dead)).toBe(false)
      const keep = [
        tmpOf(file, live),
        tmpOf(file, process.pid, 99),
        tmpOf(join(dir, "other.yaml"), dead),
        tmpOf(join(dir, "config.yaml.5"), dead),
        `${file}.bak`,
        `${file}.${dead}.tmp`
      ]
      for (const f of [...keep, tmpOf(file, dead, 1), tmpOf(file, dead, 2)]) writeFileSync(f, "x")

      yield* writeAtomic(file, "new\n")
      expect(readdirSync(dir).toSorted()).toEqual([file, ...keep].map((f) => f.slice(dir.length + 1)).toSorted())
    })
  )

  it.effect("lists a folder once per process: what a writer leaves later is the next process's to remove", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = join(dir, "s1.pid")
      const dead = yield* Effect.promise(() => runToExit("true", []))
      const before = tmpOf(file, dead, 1)
      writeFileSync(before, "x")
      yield* writeAtomic(file, "1\n")
      expect(readdirSync(dir)).toEqual(["s1.pid"])
      // a crash after our listing: kept by this process, removed by the next one's first write
      const after = tmpOf(file, dead, 2)
      writeFileSync(after, "x")
      yield* writeAtomic(file, "2\n")
      expect(readdirSync(dir).toSorted()).toEqual([after.slice(dir.length + 1), "s1.pid"].toSorted())
    })
  )
})
