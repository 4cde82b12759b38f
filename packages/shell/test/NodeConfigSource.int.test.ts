import { parseAgentConfig } from "@agentctl/core/ConfigFile"
import { configLimits } from "@agentctl/core/configLimits"
import { ConfigSource } from "@agentctl/core/ConfigSource"
import { afterEach, describe, expect, it } from "@effect/vitest"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  lstatSync,
  writeFileSync
} from "node:fs"
import { join } from "node:path"
import { layer } from "../src/NodeConfigSource.ts"
import { cleanup, tempDir } from "./support.ts"

const withSource = <A, E>(
  f: (source: Context.Service.Shape<typeof ConfigSource>, root: string) => Effect.Effect<A, E>
) => {
  const root = tempDir()
  return ConfigSource.use((source) => f(source, root)).pipe(Effect.provide(layer(root)))
}

describe("NodeConfigSource", () => {
  afterEach(cleanup)

  it.effect("glob: absolute paths relative to the root, sorted", () =>
    withSource((source, root) =>
      Effect.gen(function* () {
        mkdirSync(join(root, "agents", "sub"), { recursive: true })
        for (const f of ["agents/b.yaml", "agents/a.yaml", "agents/sub/c.yaml", "agents/x.txt", "top.yaml"]) {
          writeFileSync(join(root, f), "")
        }
        expect(yield* source.glob("agents/**/*.yaml")).toEqual([
          join(root, "agents/a.yaml"),
          join(root, "agents/b.yaml"),
          join(root, "agents/sub/c.yaml")
        ])
        expect(yield* source.glob("*.yaml")).toEqual([join(root, "top.yaml")])
        expect(yield* source.glob("nothing/*.yaml")).toEqual([])
      })
    )
  )

  it.effect("read: the text, null when missing, FileError otherwise", () =>
    withSource((source, root) =>
      Effect.gen(function* () {
        writeFileSync(join(root, "a.yaml"), "name: a\n")
        expect(yield* source.read(join(root, "a.yaml"))).toBe("name: a\n")
        expect(yield* source.read("a.yaml")).toBe("name: a\n")
        expect(yield* source.read(join(root, "missing.yaml"))).toBeNull()
        mkdirSync(join(root, "dir.yaml"))
        const error = yield* Effect.flip(source.read(join(root, "dir.yaml")))
        expect(error).toMatchObject({ _tag: "FileError", path: join(root, "dir.yaml") })
        expect(error.message).toContain("is a directory")
      })
    )
  )

  it.effect("read: at most one byte past the size limit, enough for the parser to refuse the file", () =>
    withSource((source, root) =>
      Effect.gen(function* () {
        const limit = configLimits.fileBytes
        const huge = join(root, "huge.yaml")
        writeFileSync(huge, `agent: { id: huge }\n# ${"x".repeat(3 * limit)}\n`)
        const text = yield* source.read(huge)
        expect(text?.length).toBe(limit + 1)
        const entry = parseAgentConfig(huge, root, text ?? "")
        expect(entry._tag === "Invalid" && entry.error).toBe(`${huge}: larger than 1 MiB (limit ${limit} bytes)`)

        const full = join(root, "full.yaml")
        const atLimit = `#${"é".repeat((limit - 2) / 2)}\n`
        writeFileSync(full, atLimit)
        expect(Buffer.byteLength(atLimit)).toBe(limit)
        expect(yield* source.read(full)).toBe(atLimit)
      })
    )
  )

  it.effect("write: atomic, keeps the mode, leaves no temp file", () =>
    withSource((source, root) =>
      Effect.gen(function* () {
        const file = join(root, "agentctl.yaml")
        writeFileSync(file, "old\n")
        chmodSync(file, 0o640)
        yield* source.write(file, "new\n")
        expect(readFileSync(file, "utf8")).toBe("new\n")
        expect(statSync(file).mode & 0o7777).toBe(0o640)
        chmodSync(file, 0o600)
        yield* source.write(file, "newer\n")
        expect(statSync(file).mode & 0o7777).toBe(0o600)
        yield* source.write(join(root, "fresh.yaml"), "fresh\n")
        expect(readFileSync(join(root, "fresh.yaml"), "utf8")).toBe("fresh\n")
        expect(readdirSync(root).toSorted()).toEqual(["agentctl.yaml", "fresh.yaml"])
      })
    )
  )

  it.effect("write through a symlink replaces the target and keeps the link", () =>
    withSource((source, root) =>
      Effect.gen(function* () {
        mkdirSync(join(root, "real"))
        writeFileSync(join(root, "real", "a.yaml"), "old\n")
        symlinkSync(join(root, "real", "a.yaml"), join(root, "a.yaml"))
        yield* source.write(join(root, "a.yaml"), "new\n")
        expect(lstatSync(join(root, "a.yaml")).isSymbolicLink()).toBe(true)
        expect(readFileSync(join(root, "real", "a.yaml"), "utf8")).toBe("new\n")
      })
    )
  )

  it.effect("write into a missing folder: FileError naming the file, no temp left", () =>
    withSource((source, root) =>
      Effect.gen(function* () {
        const file = join(root, "nope", "a.yaml")
        const error = yield* Effect.flip(source.write(file, "x"))
        expect(error).toMatchObject({ _tag: "FileError", path: file })
        expect(readdirSync(root)).toEqual([])
      })
    )
  )
})
