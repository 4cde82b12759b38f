import { describe, expect, it } from "vitest"
import { type ConfigEntry, markDuplicates, parseAgentConfig } from "../src/ConfigFile.ts"
import { markDependencyIssues } from "../src/dependencyIssues.ts"

const fileOf = (id: string) => `/f/agents/${id}/config.yaml`

/** `a: b c` — agent a depends on b and c; `-a` disabled; `!a` a config that does not parse. */
const fleet = (...lines: ReadonlyArray<string>): ReadonlyArray<ConfigEntry> =>
  lines.map((line) => {
    const [head, ...deps] = line.split(/[:\s]+/).filter((w) => w !== "")
    const id = head!.replace(/^[-!]/, "")
    const enabled = !head!.startsWith("-")
    const dependsOn = deps.length === 0 ? "" : `depends_on: { ${deps.map((d) => `${d}: started`).join(", ")} }\n`
    const text = head!.startsWith("!")
      ? `agent: { id: ${id} }\nrun: {}\n`
      : `agent: { id: ${id}, enabled: ${enabled} }\nrun: { command: x }\n${dependsOn}`
    return parseAgentConfig(fileOf(id), `/f/agents/${id}`, text)
  })

const errors = (entries: ReadonlyArray<ConfigEntry>) =>
  Object.fromEntries(
    markDependencyIssues(entries).map((e) =>
      e._tag === "Valid" ? [e.spec.config.agent.id, "valid"] : [e.id ?? e.file, e.error]
    )
  )

describe("markDependencyIssues", () => {
  it.each<[string, ReadonlyArray<string>, Record<string, string>]>([
    ["no dependencies: nothing changes", ["a", "b"], { a: "valid", b: "valid" }],
    ["a chain is valid", ["a", "b: a", "c: b"], { a: "valid", b: "valid", c: "valid" }],
    ["a diamond is valid", ["a", "b: a", "c: a", "d: b c"], { a: "valid", b: "valid", c: "valid", d: "valid" }],
    [
      "a dependency on an agent that is not there",
      ["a: db", "b"],
      { a: `${fileOf("a")}: depends_on.db: no agent "db" in the fleet`, b: "valid" }
    ],
    [
      "a dependency whose config is invalid, said so",
      ["a: db", "!db"],
      {
        a: `${fileOf("a")}: depends_on.db: the config of "db" is invalid (${fileOf("db")})`,
        db: expect.stringMatching(/run\.command/) as unknown as string
      }
    ],
    [
      "a disabled dependency of an enabled agent",
      ["a: db", "-db"],
      {
        a: `${fileOf("a")}: depends_on.db: "db" is disabled (agent.enabled: false in ${fileOf("db")}); enable it, or disable "a" too`,
        db: "valid"
      }
    ],
    ["a disabled agent may depend on a disabled one", ["-a: db", "-db"], { a: "valid", db: "valid" }],
    ["an enabled agent may be depended on by a disabled one", ["-a: db", "db"], { a: "valid", db: "valid" }],
    [
      "an agent depending on itself is a cycle",
      ["a: a"],
      { a: `${fileOf("a")}: depends_on.a: depends_on cycle: a -> a` }
    ],
    [
      "a cycle names every member, from each member's point of view; the rest is unaffected",
      ["a: b", "b: c", "c: a", "x"],
      {
        a: `${fileOf("a")}: depends_on.b: depends_on cycle: a -> b -> c -> a`,
        b: `${fileOf("b")}: depends_on.c: depends_on cycle: b -> c -> a -> b`,
        c: `${fileOf("c")}: depends_on.a: depends_on cycle: c -> a -> b -> c`,
        x: "valid"
      }
    ],
    [
      "each member of two cycles that share an agent names its own (shortest) cycle",
      ["a: b", "b: a c", "c: b"],
      {
        a: `${fileOf("a")}: depends_on.b: depends_on cycle: a -> b -> a`,
        b: `${fileOf("b")}: depends_on.a: depends_on cycle: b -> a -> b`,
        c: `${fileOf("c")}: depends_on.b: depends_on cycle: c -> b -> c`
      }
    ],
    [
      "an agent waiting for a cycle is invalid too, saying which dependency is",
      ["a: b", "b: a", "d: a", "e: d", "f"],
      {
        a: `${fileOf("a")}: depends_on.b: depends_on cycle: a -> b -> a`,
        b: `${fileOf("b")}: depends_on.a: depends_on cycle: b -> a -> b`,
        d: `${fileOf("d")}: depends_on.a: the config of "a" is invalid (${fileOf("a")})`,
        e: `${fileOf("e")}: depends_on.d: the config of "d" is invalid (${fileOf("d")})`,
        f: "valid"
      }
    ],
    [
      "every problem of one agent, in one error",
      ["a: nope a"],
      { a: `${fileOf("a")}: depends_on.nope: no agent "nope" in the fleet; depends_on.a: depends_on cycle: a -> a` }
    ]
  ])("%s", (_, lines, expected) => {
    expect(errors(fleet(...lines))).toEqual(expected)
  })

  it("a dependency on an id two files claim is a dependency on an invalid config", () => {
    const twin = "agent: { id: db }\nrun: { command: x }\n"
    const entries = markDuplicates([
      ...fleet("a: db"),
      parseAgentConfig("/f/1.yaml", "/f", twin),
      parseAgentConfig("/f/2.yaml", "/f", twin)
    ])
    expect(errors(entries).a).toBe(`${fileOf("a")}: depends_on.db: the config of "db" is invalid (/f/1.yaml)`)
  })
})
