import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { markDuplicates, parseAgentConfig, parseFleetSettings } from "../src/ConfigFile.ts"
import { configLimits } from "../src/configLimits.ts"
import { bomb, manyKeys } from "./hostileYaml.ts"

const file = "/f/agents/a/config.yaml"
const parse = (text: string) => parseAgentConfig(file, "/f/agents/a", text)

describe("parseAgentConfig", () => {
  it.each<[string, string, RegExp]>([
    ["unparseable YAML names the line", "agent:\n  id: a\n  name: [oops\n", /config\.yaml: .*line \d+, column \d+/],
    ["missing run.command", "agent: { id: a }\nrun: {}\n", /run\.command: Missing key/],
    [
      "an id that could climb out of run/",
      "agent: { id: ../x }\nrun: { command: x }\n",
      /agent\.id: an agent id is 1-63 characters/
    ],
    ["an id with a capital", "agent: { id: Bad }\nrun: { command: x }\n", /agent\.id/],
    [
      "a bad duration",
      "agent: { id: a }\nrun: { command: x, stop_timeout: soon }\n",
      /run\.stop_timeout: expected a duration/
    ],
    ["an unknown restart policy", "agent: { id: a }\nrun: { command: x, restart: sometimes }\n", /run\.restart/],
    ["an unknown stop signal", "agent: { id: a }\nrun: { command: x, stop_signal: SIGFOO }\n", /run\.stop_signal/],
    ["enabled must be a boolean", "agent: { id: a, enabled: sure }\nrun: { command: x }\n", /agent\.enabled/],
    [
      "a bad log size",
      "agent: { id: a }\nrun: { command: x, logs: { max_size: 10 parsecs } }\n",
      /config\.yaml: run\.logs\.max_size: expected a size such as 10MiB or 1GiB, got "10 parsecs"/
    ],
    ["a negative keep", "agent: { id: a }\nrun: { command: x, logs: { keep: -1 } }\n", /run\.logs\.keep: /],
    [
      "the fleet's log budget set by one agent",
      "agent: { id: a }\nrun: { command: x, logs: { max_total: 10GiB } }\n",
      /run\.logs\.max_total: max_total is fleet-wide: set it under logs: in agentctl\.yaml/
    ],
    [
      "a line longer than a file",
      "agent: { id: a }\nrun: { command: x, logs: { max_size: 4KiB, max_line: 8KiB } }\n",
      /run\.logs\.max_line: max_line \(8KiB\) is larger than max_size \(4KiB\)/
    ],
    ["two documents", "agent: { id: a }\n---\nagent: { id: b }\n", /config\.yaml: /],
    [
      "every problem at once",
      "agent: { id: A }\nrun: { stop_timeout: x }\n",
      /agent\.id.*; run\.command.*; run\.stop_timeout/
    ]
  ])("invalid: %s", (_, text, message) => {
    const entry = parse(text)
    expect(entry._tag).toBe("Invalid")
    if (entry._tag === "Invalid") expect(entry.error).toMatch(message)
  })

  it("defaults, and scalars as text", () => {
    const entry = parse("agent: { id: a }\nrun: { command: sleep, args: [60, true], env: { PORT: 8080 } }\n")
    expect(entry._tag).toBe("Valid")
    if (entry._tag !== "Valid") return
    expect(entry.spec.config).toEqual({
      agent: { id: "a", name: "", version: "", description: "", enabled: true },
      run: {
        command: "sleep",
        args: ["60", "true"],
        cwd: ".",
        env: { PORT: "8080" },
        stop_signal: "SIGTERM",
        stop_timeout: 5000,
        restart: "on-failure",
        logs: {}
      },
      health: {},
      notify: false,
      depends_on: {}
    })
  })

  it.each<[string, string, unknown]>([
    ["the short form", "{ db: ready }", { db: { condition: "ready", restart: false, timeout: 60_000 } }],
    [
      "the long form, defaults filled in",
      "{ db: { restart: true, timeout: 2m } }",
      { db: { condition: "started", restart: true, timeout: 120_000 } }
    ]
  ])("depends_on: %s", (_, yaml, expected) => {
    const entry = parse(`agent: { id: a }\nrun: { command: x }\ndepends_on: ${yaml}\n`)
    expect(entry._tag === "Valid" && entry.spec.config.depends_on).toEqual(expected)
  })

  it.each<[string, RegExp]>([
    ["{ db: soon }", /depends_on\.db: /],
    ["{ db: { condition: ready, timeout: later } }", /depends_on\.db\.timeout: expected a duration/],
    ["{ Bad_Id: ready }", /depends_on: not an agent id: "Bad_Id"/]
  ])("depends_on: %s is an error naming the field", (yaml, message) => {
    const entry = parse(`agent: { id: a }\nrun: { command: x }\ndepends_on: ${yaml}\n`)
    expect(entry._tag === "Invalid" && entry.error).toMatch(message)
  })

  it("run.logs: what the agent overrides, in bytes", () => {
    const entry = parse("agent: { id: a }\nrun: { command: x, logs: { max_size: 1MiB, keep: 2 } }\n")
    expect(entry._tag === "Valid" && entry.spec.config.run.logs).toEqual({ max_size: 1024 * 1024, keep: 2 })
  })

  it("keeps the id of a config that parses but does not validate", () => {
    const entry = parse("agent: { id: a }\nrun: { stop_timeout: x }\n")
    expect(entry._tag === "Invalid" && entry.id).toBe("a")
  })
})

const items = (n: number) => Array.from({ length: n }, (_, i) => `a${i}`).join(", ")

describe("parseAgentConfig: hostile files", () => {
  const good = "agent: { id: bad, name: Bad }\nrun: { command: sleep, args: [600] }\n"

  it("an alias bomb is that agent's invalid entry, named by its id, not an exception", () => {
    const entry = parse(`${good}${bomb(8, 5).join("\n")}\n`)
    expect(entry).toEqual({
      _tag: "Invalid",
      file,
      id: "bad",
      error: `${file}: aliases expand to more than ${configLimits.yamlNodes} YAML nodes (limit ${configLimits.yamlNodes}) at line 7`
    })
  })

  it.each<[string, string]>([
    ["over the size limit", `${good}x: ${"a".repeat(configLimits.fileBytes)}\n`],
    ["over the node limit", `${good}${manyKeys("x", configLimits.yamlNodes)}`],
    ["a syntax error after the head", `${good}${"# pad\n".repeat(1000)}x: [oops\n`]
  ])("a file refused before it parsed (%s) is still named by the id in its first lines", (_, text) => {
    const entry = parse(text)
    expect(entry._tag === "Invalid" && entry.id).toBe("bad")
  })

  it("no id when the first lines do not name one", () => {
    const entry = parse(`${"# pad\n".repeat(1000)}agent: { id: bad }\nx: ${"a".repeat(configLimits.fileBytes)}\n`)
    expect(entry._tag === "Invalid" && entry.id).toBeNull()
  })

  it.each<[string, string, string]>([
    [
      "too many args",
      `agent: { id: a }\nrun: { command: x, args: [${items(configLimits.args + 1)}] }\n`,
      `run.args: more than ${configLimits.args} args (limit ${configLimits.args})`
    ],
    [
      "too many env keys",
      `agent: { id: a }\nrun: { command: x, env: { ${items(configLimits.runEnv + 1).replace(/(a\d+)/g, "$1: v")} } }\n`,
      `run.env: more than ${configLimits.runEnv} variables (limit ${configLimits.runEnv})`
    ],
    ["a NUL in the command", 'agent: { id: a }\nrun: { command: "sl\\0eep" }\n', "run.command: contains a NUL byte"],
    ["a NUL in an arg", 'agent: { id: a }\nrun: { command: x, args: ["a\\0"] }\n', "run.args.0: contains a NUL byte"],
    [
      "a NUL in an env value",
      'agent: { id: a }\nrun: { command: x, env: { A: "\\0" } }\n',
      "run.env.A: contains a NUL byte"
    ]
  ])("%s is an error naming the field and the limit", (_, text, message) => {
    const entry = parse(text)
    expect(entry._tag === "Invalid" && entry.error).toContain(message)
    expect(entry._tag === "Invalid" && entry.id).toBe("a")
  })

  it("at the limits, valid", () => {
    const env = items(configLimits.runEnv).replace(/(a\d+)/g, "$1: v")
    const entry = parse(`agent: { id: a }\nrun: { command: x, args: [${items(configLimits.args)}], env: { ${env} } }\n`)
    expect(entry._tag).toBe("Valid")
  })

  it("a thousand wrong items make an error of ten issues and a count, not a thousand", () => {
    const entry = parse(
      `agent: { id: a }\nrun: { command: x, args: [${Array.from({ length: 1000 }, () => "[1]").join(", ")}] }\n`
    )
    const error = entry._tag === "Invalid" ? entry.error : ""
    expect(error.split("; ")).toHaveLength(11)
    expect(error).toMatch(/; and 990 more$/)
  })
})

describe("markDuplicates", () => {
  it("marks both configs with one id, each naming the other file", () => {
    const one = parseAgentConfig("/f/1.yaml", "/f", "agent: { id: twin }\nrun: { command: x }\n")
    const two = parseAgentConfig("/f/2.yaml", "/f", "agent: { id: twin }\nrun: { command: x }\n")
    const other = parseAgentConfig("/f/3.yaml", "/f", "agent: { id: solo }\nrun: { command: x }\n")
    const out = markDuplicates([one, two, other])
    expect(out.map((e) => e._tag)).toEqual(["Invalid", "Invalid", "Valid"])
    expect(out[0]!._tag === "Invalid" && out[0]!.error).toMatch(/\/f\/1\.yaml and \/f\/2\.yaml/)
    expect(out[1]!._tag === "Invalid" && out[1]!.error).toMatch(/\/f\/2\.yaml and \/f\/1\.yaml/)
  })
})

describe("parseFleetSettings", () => {
  it("missing file: defaults", () => {
    const r = parseFleetSettings("/f/agentctl.yaml", null)
    expect(Result.isSuccess(r) && r.success.agents).toBe("agents/*/config.yaml")
    expect(Result.isSuccess(r) && r.success.logs.max_size).toBe(10 * 1024 * 1024)
  })
  it.each([
    [null, 600_000],
    ["restart: { cooldown: 90s }", 90_000],
    ["restart: { cooldown: never }", "never"]
  ])("restart.cooldown of %j is %j", (text, cooldown) => {
    const r = parseFleetSettings("/f/agentctl.yaml", text)
    expect(Result.isSuccess(r) && r.success.restart.cooldown).toBe(cooldown)
  })
  it("logs: sizes in bytes, keep_free a percent or a size", () => {
    const r = parseFleetSettings("/f/agentctl.yaml", "logs: { max_total: 20GiB, keep_free: 2GiB }\n")
    expect(Result.isSuccess(r) && r.success.logs).toMatchObject({
      max_total: 20 * 1024 ** 3,
      keep_free: { _tag: "Bytes", bytes: 2 * 1024 ** 3 }
    })
  })
  it.each([
    ["api: { port: 99999 }", /api\.port/],
    ["restart: { max_failures: 0 }", /restart\.max_failures/],
    ["restart: { cooldown: later }", /restart\.cooldown: /],
    ["build: []", /build/],
    ["logs: { max_size: 10 parsecs }", /^\/f\/agentctl\.yaml: logs\.max_size: expected a size such as 10MiB or 1GiB/],
    ["logs: { keep: -1 }", /logs\.keep: /],
    ["logs: { keep_free: 120% }", /logs\.keep_free: expected a percentage from 0% to 100%/],
    ["logs: { max_size: 8KiB, max_line: 16KiB }", /logs\.max_line: max_line \(16KiB\) is larger than max_size \(8KiB\)/]
  ])("%s is an error naming the field", (text, message) => {
    const r = parseFleetSettings("/f/agentctl.yaml", text)
    expect(Result.isFailure(r) && r.failure).toMatch(message)
  })
  it("an alias bomb is an error naming the file and the limit, not an exception", () => {
    const r = parseFleetSettings("/f/agentctl.yaml", `api: { port: 7717 }\n${bomb(5, 5).join("\n")}\n`)
    expect(Result.isFailure(r) && r.failure).toMatch(/^\/f\/agentctl\.yaml: aliases expand to more than \d+ YAML nodes/)
  })
})
