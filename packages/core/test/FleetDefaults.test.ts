import { describe, expect, it } from "@effect/vitest"
import * as Result from "effect/Result"
import { parseAgentConfig, parseFleetSettings } from "../src/ConfigFile.ts"
import { mergeUnder } from "../src/FleetDefaults.ts"

const settingsFile = "/f/agentctl.yaml"
const settings = (text: string) => {
  const r = parseFleetSettings(settingsFile, text)
  if (Result.isFailure(r)) throw new Error(r.failure)
  return r.success
}
const seedSettings = settings(`defaults:
  run:
    command: bin/launcher
    args: ["-c", "{config}", "--id={id}", "{dir}", "{root}", '{"json": 1}']
    restart: on-failure
    env: { HOME_OF: "{dir}" }
`)
const parse = (text: string, s = seedSettings) =>
  parseAgentConfig("/f/agents/alpha/config.yaml", "/f/agents/alpha", text, { root: "/f", defaults: s.defaults })

describe("mergeUnder", () => {
  it.each([
    ["maps merge key by key", { a: 1, m: { x: 1, y: 2 } }, { m: { y: 3 } }, { a: 1, m: { x: 1, y: 3 } }],
    ["a list replaces the default's list", { args: ["a", "b"] }, { args: ["c"] }, { args: ["c"] }],
    ["a scalar replaces a map", { m: { x: 1 } }, { m: 5 }, { m: 5 }],
    ["null replaces (and is then judged by the schema)", { m: 1 }, { m: null }, { m: null }],
    ["a key only the default has stays", { a: 1 }, {}, { a: 1 }],
    ["nothing over: the default", { a: 1 }, undefined, { a: 1 }]
  ])("%s", (_name, under, over, expected) => {
    expect(mergeUnder(under, over)).toEqual(expected)
  })
})

describe("defaults: in agentctl.yaml", () => {
  it("a config of the original's shape (no run:) runs as the default command with its placeholders filled", () => {
    const e = parse("agent: { id: alpha, version: 0.3.1 }\nmatrix: { homeserver: https://x.invalid }\n")
    expect(e._tag).toBe("Valid")
    if (e._tag !== "Valid") return
    expect(e.spec.config.run).toMatchObject({
      command: "/f/bin/launcher",
      args: ["-c", "/f/agents/alpha/config.yaml", "--id=alpha", "/f/agents/alpha", "/f", '{"json": 1}'],
      restart: "on-failure",
      env: { HOME_OF: "/f/agents/alpha" }
    })
  })
  it("the agent's own keys win: its args replace the default's, its env adds to it", () => {
    const e = parse("agent: { id: alpha }\nrun: { args: [own], env: { MINE: '1' }, restart: always }\n")
    expect(e._tag === "Valid" && e.spec.config.run).toMatchObject({
      command: "/f/bin/launcher",
      args: ["own"],
      restart: "always",
      env: { HOME_OF: "/f/agents/alpha", MINE: "1" }
    })
  })
  it.each([
    ["bin/launcher", "/f/bin/launcher"],
    ["./bin/launcher", "/f/bin/launcher"],
    ["../shared/run", "/f/../shared/run"],
    ["/opt/x/run", "/opt/x/run"],
    ["node", "node"]
  ])("default command %s runs as %s (relative with a slash: against the root; a bare name: PATH)", (command, runs) => {
    const e = parse("agent: { id: alpha }\n", settings(`defaults: { run: { command: "${command}" } }`))
    expect(e._tag === "Valid" && e.spec.config.run.command).toBe(runs)
  })
  it("an agent's own relative command is not rebased (it runs from its cwd, as before)", () => {
    const e = parse("agent: { id: alpha }\nrun: { command: ./run.sh }\n")
    expect(e._tag === "Valid" && e.spec.config.run.command).toBe("./run.sh")
  })
  it("without defaults, a config without run: is invalid, naming the field", () => {
    const e = parse("agent: { id: alpha }\n", settings(""))
    expect(e._tag === "Invalid" && e.error).toMatch(/run: Missing key/)
  })
  it.each([
    [
      'defaults: { run: { command: x, args: ["{conifg}"] } }',
      /defaults\.run\.args\[0\]: unknown placeholder \{conifg\} \(known: \{config\} \{id\} \{dir\} \{root\}\)/
    ],
    ["defaults: { run: { command: '{bin}/x' } }", /defaults\.run\.command: unknown placeholder \{bin\}/],
    ["defaults: { run: { command: x, env: { A: '{home}' } } }", /defaults\.run\.env\.A: unknown placeholder \{home\}/],
    ["defaults: { run: { comand: x } }", /defaults\.run\.comand: unknown key \(run keys: command, args/],
    ["defaults: { run: { command: x, restart: sometimes } }", /^\/f\/agentctl\.yaml: defaults\.run\.restart: /],
    ["defaults: { run: { command: x, stop_timeout: soon } }", /defaults\.run\.stop_timeout: /],
    ["defaults: { run: [x] }", /defaults\.run: /],
    ["defaults: { notify: maybe }", /defaults\.notify: /]
  ])("%s is an error naming agentctl.yaml and the field", (text, message) => {
    const r = parseFleetSettings(settingsFile, text)
    expect(Result.isFailure(r) && r.failure).toMatch(message)
  })
})
