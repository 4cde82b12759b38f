import { describe, expect, it } from "vitest"
import { type EnvEntry, type EnvLayer, isSecretKey, mergeEnv, redact, redactEntries, toRecord } from "../src/env.ts"

describe("mergeEnv", () => {
  const cases: ReadonlyArray<{
    readonly name: string
    readonly layers: ReadonlyArray<EnvLayer>
    readonly merged: ReadonlyArray<readonly [string, string, EnvEntry["source"]]>
  }> = [
    { name: "no layers", layers: [], merged: [] },
    { name: "empty layers", layers: [{ source: "host", vars: {} }], merged: [] },
    {
      name: "one layer, sorted by key",
      layers: [{ source: "host", vars: { PATH: "/bin", HOME: "/root", A: "" } }],
      merged: [
        ["A", "", "host"],
        ["HOME", "/root", "host"],
        ["PATH", "/bin", "host"]
      ]
    },
    {
      name: "later layers win and name their source",
      layers: [
        { source: "host", vars: { PORT: "1", HOME: "/root", LOG: "info" } },
        { source: "fleet .env", vars: { PORT: "2", REGION: "eu" } },
        { source: "agent .env", vars: { PORT: "3" } },
        { source: "run.env", vars: { LOG: "debug" } },
        { source: "agentctl", vars: { AGENTCTL_AGENT: "a" } }
      ],
      merged: [
        ["AGENTCTL_AGENT", "a", "agentctl"],
        ["HOME", "/root", "host"],
        ["LOG", "debug", "run.env"],
        ["PORT", "3", "agent .env"],
        ["REGION", "eu", "fleet .env"]
      ]
    },
    {
      name: "an empty value still overrides",
      layers: [
        { source: "host", vars: { A: "x" } },
        { source: "run.env", vars: { A: "" } }
      ],
      merged: [["A", "", "run.env"]]
    },
    {
      name: "the order given decides, not the source name",
      layers: [
        { source: "agentctl", vars: { A: "1" } },
        { source: "host", vars: { A: "2" } }
      ],
      merged: [["A", "2", "host"]]
    },
    {
      name: "sorts by code unit, not locale: upper case before lower case",
      layers: [{ source: "host", vars: { b: "1", B: "2", _a: "3", a: "4", A_: "5" } }],
      merged: [
        ["A_", "5", "host"],
        ["B", "2", "host"],
        ["_a", "3", "host"],
        ["a", "4", "host"],
        ["b", "1", "host"]
      ]
    }
  ]

  it.each(cases)("$name", ({ layers, merged }) => {
    expect(mergeEnv(layers).map((e) => [e.key, e.value, e.source])).toEqual(merged)
  })

  it("toRecord keeps every key, __proto__ included", () => {
    const vars = JSON.parse('{"__proto__":"x","A":"1"}') as Record<string, string>
    const record = toRecord(mergeEnv([{ source: "host", vars }]))
    expect(Object.entries(record)).toEqual([
      ["A", "1"],
      ["__proto__", "x"]
    ])
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
  })
})

describe("isSecretKey", () => {
  it.each([
    ["API_KEY", true],
    ["api_key", true],
    ["OPENAI_API_KEY", true],
    ["GITHUB_TOKEN", true],
    ["token", true],
    ["CLIENT_SECRET", true],
    ["DB_PASSWORD", true],
    ["MYSQL_PWD_PASSWD", true],
    ["GOOGLE_APPLICATION_CREDENTIALS", true],
    ["SSH_PRIVATE_KEY_PATH", true],
    ["Private", true],
    ["PATH", false],
    ["HOME", false],
    ["PWD", false],
    ["PORT", false],
    ["LOG_LEVEL", false],
    ["AGENTCTL_AGENT", false],
    ["", false]
  ] as const)("%s → %s", (key, secret) => {
    expect(isSecretKey(key)).toBe(secret)
  })
})

describe("redact", () => {
  it.each(["", "x", "a much longer secret value than the mask"])("%j gives the same mask", (value) => {
    expect(redact(value)).toBe("••••••")
  })
})

describe("redactEntries", () => {
  const merged: ReadonlyArray<EnvEntry> = [
    { key: "API_TOKEN", value: "abc", source: "agent .env" },
    { key: "DB_PASSWORD", value: "", source: "fleet .env" },
    { key: "PORT", value: "8080", source: "run.env" }
  ]

  it.each([
    {
      showSecrets: false,
      values: [
        ["API_TOKEN", "••••••", "agent .env"],
        ["DB_PASSWORD", "••••••", "fleet .env"],
        ["PORT", "8080", "run.env"]
      ]
    },
    {
      showSecrets: true,
      values: [
        ["API_TOKEN", "abc", "agent .env"],
        ["DB_PASSWORD", "", "fleet .env"],
        ["PORT", "8080", "run.env"]
      ]
    }
  ])("showSecrets: $showSecrets", ({ showSecrets, values }) => {
    expect(redactEntries(merged, showSecrets).map((e) => [e.key, e.value, e.source])).toEqual(values)
  })
})
