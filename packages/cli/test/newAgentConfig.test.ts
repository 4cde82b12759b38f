import { parseAgentConfig } from "@agentctl/core/ConfigFile"
import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import { type NewAgent, newAgentConfig, parseEnvAssignment } from "../src/newAgentConfig.ts"

/*
 * The config `add` writes: whatever the words, the file loads as exactly those words (a YAML
 * writer that left `007` or `x: y` plain would make them a number or a mapping).
 */

const file = "/f/agents/a/config.yaml"
const dir = "/f/agents/a"
const agent = (over: Partial<NewAgent> = {}): NewAgent => ({
  id: "a",
  command: "sleep",
  args: [],
  env: [],
  cwd: undefined,
  restart: undefined,
  ...over
})

const load = (text: string) => {
  const entry = parseAgentConfig(file, dir, text)
  if (entry._tag === "Invalid") throw new Error(entry.error)
  return entry.spec.config
}

const tricky = [
  "--flag",
  "a b",
  "x: y",
  "#no",
  "007",
  "-",
  "",
  " padded ",
  "true",
  "null",
  "~",
  "1e3",
  "0x1F",
  "yes",
  "-1",
  ".inf",
  "a #b",
  "[a, b]",
  "{x: 1}",
  "*alias",
  "&anchor",
  "!tag",
  "%dir",
  "@at",
  "`tick`",
  "'single'",
  '"double"',
  "two\nlines",
  "trailing\n",
  "tab\there",
  "back\\slash",
  "{config}",
  "ünïcødé ✓"
]

describe("the config add writes", () => {
  it("reads back as the very args, command and env it was given", () => {
    const env = [
      ["PORT", "007"],
      ["MODE", "x: y"],
      ["EMPTY", ""],
      ["a.b-c", "#no"]
    ] as const
    const text = newAgentConfig(file, dir, agent({ command: "my prog: 1", args: tricky, env }))
    assert.isTrue(Result.isSuccess(text))
    const config = load(Result.getOrThrow(text))
    assert.deepStrictEqual(config.run.args, tricky)
    assert.strictEqual(config.run.command, "my prog: 1")
    assert.deepStrictEqual(config.run.env, Object.fromEntries(env))
    assert.deepStrictEqual(config.agent, { id: "a", name: "a", version: "", description: "", enabled: true })
  })

  it("writes only the options given; the rest keep their defaults", () => {
    const bare = Result.getOrThrow(newAgentConfig(file, dir, agent({ args: ["600"] })))
    assert.notMatch(bare, /cwd|env|restart/)
    assert.deepStrictEqual(load(bare).run.restart, "on-failure")
    const full = load(
      Result.getOrThrow(newAgentConfig(file, dir, agent({ cwd: "work dir", restart: "never", env: [["K", "v"]] })))
    )
    assert.deepStrictEqual([full.run.cwd, full.run.restart, full.run.env], ["work dir", "never", { K: "v" }])
  })

  it("is refused with the loader's own words when it would not load", () => {
    const empty = newAgentConfig(file, dir, agent({ command: "" }))
    assert.isTrue(Result.isFailure(empty))
    assert.match(Result.isFailure(empty) ? empty.failure : "", /^\/f\/agents\/a\/config\.yaml: run\.command: /)
    const tooMany = newAgentConfig(file, dir, agent({ args: Array.from({ length: 1025 }, (_, i) => String(i)) }))
    assert.match(Result.isFailure(tooMany) ? tooMany.failure : "", /run\.args: more than 1024 args/)
  })
})

describe("--env KEY=VALUE", () => {
  const cases: ReadonlyArray<readonly [string, readonly [string, string] | undefined]> = [
    ["A=1", ["A", "1"]],
    ["A=", ["A", ""]],
    ["A=b=c", ["A", "b=c"]],
    ["_x.y-z=v w", ["_x.y-z", "v w"]],
    ["A", undefined],
    ["=v", undefined],
    ["1A=v", undefined],
    ["A B=v", undefined],
    ["-A=v", undefined]
  ]
  for (const [raw, expected] of cases) {
    it(JSON.stringify(raw), () => assert.deepStrictEqual(parseEnvAssignment(raw), expected))
  }
})
