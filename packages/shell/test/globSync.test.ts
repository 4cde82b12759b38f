import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { globSync } from "../src/globSync.ts"

describe("globSync", () => {
  let root: string
  beforeAll(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "agentctl-glob-")))
    for (const f of [
      "agents/a/config.yaml",
      "agents/b/config.yaml",
      "agents/b/other.yaml",
      "agents/c/nested/config.yaml",
      "agents/.hidden/config.yaml",
      "agents/d1/config.yaml",
      "bots/x/agent.yaml",
      "bots/deep/er/agent.yaml"
    ]) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true })
      fs.writeFileSync(path.join(root, f), "")
    }
    fs.mkdirSync(path.join(root, "agents", "empty"))
  })
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

  const cases: ReadonlyArray<readonly [pattern: string, expected: ReadonlyArray<string>]> = [
    ["agents/*/config.yaml", ["agents/a/config.yaml", "agents/b/config.yaml", "agents/d1/config.yaml"]],
    ["./agents/*/config.yaml", ["agents/a/config.yaml", "agents/b/config.yaml", "agents/d1/config.yaml"]],
    ["agents/?/config.yaml", ["agents/a/config.yaml", "agents/b/config.yaml"]],
    ["agents/[ab]/*.yaml", ["agents/a/config.yaml", "agents/b/config.yaml", "agents/b/other.yaml"]],
    ["agents/[!a]/config.yaml", ["agents/b/config.yaml"]],
    ["agents/.*/config.yaml", ["agents/.hidden/config.yaml"]],
    ["**/agent.yaml", ["bots/deep/er/agent.yaml", "bots/x/agent.yaml"]],
    [
      "agents/**/config.yaml",
      ["agents/a/config.yaml", "agents/b/config.yaml", "agents/c/nested/config.yaml", "agents/d1/config.yaml"]
    ],
    ["agents/a/config.yaml", ["agents/a/config.yaml"]],
    ["agents/zz/config.yaml", []],
    ["missing/*/config.yaml", []]
  ]

  it.each(cases)("%s", (pattern, expected) => {
    expect(globSync(root, pattern)).toEqual(expected.map((f) => path.join(root, f)))
  })

  it("asks `exists` about literal last segments, once each", () => {
    const asked: Array<string> = []
    const found = globSync(root, "agents/*/config.yaml", (p) => {
      asked.push(p)
      return fs.existsSync(p)
    })
    expect(found).toHaveLength(3)
    expect(asked.toSorted()).toEqual(
      ["a", "b", "c", "d1", "empty"].map((d) => path.join(root, "agents", d, "config.yaml"))
    )
  })
})
