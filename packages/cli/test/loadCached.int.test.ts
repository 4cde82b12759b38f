import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"

/*
 * loadCached runs a CommonJS file with V8's code cache of an earlier run: written at the first
 * run's exit, taken as it is by the next, rewritten when the source changed. Each run is a
 * process of its own, as the exit hook is part of what is tested.
 */

const loader = path.join(import.meta.dirname, "..", "src", "loadCached.ts")
let dir: string

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const run = (file: string, cache: string): string =>
  execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { loadCached } from ${JSON.stringify(loader)}
       const m = loadCached(${JSON.stringify(file)}, ${JSON.stringify(cache)})
       process.stdout.write(String(m.answer()))`
    ],
    { encoding: "utf8" }
  )

describe("loadCached", () => {
  it("writes the code cache at the first run's exit, keeps it while the source is the same, rewrites it when not", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentctl-load-cached-"))
    const file = path.join(dir, "main.cjs")
    const cache = path.join(dir, "main.cjs.v8")
    fs.writeFileSync(
      file,
      'const { sep } = require("node:path"); exports.answer = () => (__dirname + sep === ' +
        JSON.stringify(dir + path.sep) +
        " ? 42 : -1)"
    )

    expect(run(file, cache)).toBe("42")
    const first = fs.statSync(cache)
    expect(first.size).toBeGreaterThan(0)

    fs.utimesSync(cache, new Date(0), new Date(0))
    expect(run(file, cache)).toBe("42")
    expect(fs.statSync(cache).mtimeMs).toBe(0)

    fs.writeFileSync(file, "exports.answer = () => 6 * 7 + 1")
    expect(run(file, cache)).toBe("43")
    expect(fs.statSync(cache).mtimeMs).toBeGreaterThan(0)
    // A source of the same length (a rebuild with another build id): V8 alone would take the
    // old cache and run the old code.
    fs.writeFileSync(file, "exports.answer = () => 6 * 7 + 2")
    expect(run(file, cache)).toBe("44")
    expect(run(file, cache)).toBe("44")
    // no temp file of the rewrite is left behind
    expect(fs.readdirSync(dir).toSorted()).toEqual(["main.cjs", "main.cjs.v8"])
  })

  it("runs without a cache where it may not write one", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentctl-load-cached-"))
    const file = path.join(dir, "main.cjs")
    fs.writeFileSync(file, "exports.answer = () => 42")
    expect(run(file, path.join(dir, "missing", "main.cjs.v8"))).toBe("42")
    expect(fs.readdirSync(dir)).toEqual(["main.cjs"])
  })
})
