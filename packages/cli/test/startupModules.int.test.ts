import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeFleet, type TestFleet } from "./fleetHarness.ts"

/*
 * What an everyday command costs at start-up is mostly what it loads (README, "Figures"): the
 * node builtins below are 60–90 ms of a start together, and none of these commands needs one
 * (http and its fetch, OpenSSL, readline, SQLite, zlib, worker threads, child processes). A
 * preload script writes the bundle's module list as it exits.
 */

const heavy =
  /^NativeModule (http|https|http2|tls|crypto|readline|sqlite|zlib|worker_threads|child_process|internal\/deps\/undici\/undici)$/

describe("what an everyday command loads", () => {
  let fleet: TestFleet
  let dump: string
  beforeAll(() => {
    fleet = makeFleet()
    fleet.agent("a", "sleep", ["300"])
    fleet.write("run/a.log", "one\ntwo\n")
    dump = path.join(fleet.root, "modules.txt")
    fleet.write(
      "dump-modules.cjs",
      `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(dump)}, process.moduleLoadList.join("\\n")))`
    )
  })
  afterAll(() => fleet.cleanup())

  const cases: ReadonlyArray<ReadonlyArray<string>> = [
    ["status", "a"],
    ["logs", "a", "-n", "100"],
    ["env", "a"],
    ["validate"],
    ["history", "a"]
  ]
  for (const argv of cases) {
    it(`${argv.join(" ")} loads none of the heavy builtins`, async () => {
      fs.rmSync(dump, { force: true })
      const result = await fleet.runWith(
        { NODE_OPTIONS: `--require ${path.join(fleet.root, "dump-modules.cjs")}` },
        ...argv
      )
      expect(result.code, result.stderr).toBe(0)
      const loaded = fs.readFileSync(dump, "utf8").split("\n")
      expect(loaded.filter((m) => heavy.test(m))).toEqual([])
      // and the check can fail: a builtin every start loads is in the list
      expect(loaded).toContain("NativeModule fs")
    })
  }
})
