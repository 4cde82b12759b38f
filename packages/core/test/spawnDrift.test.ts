import { describe, expect, it } from "@effect/vitest"
import type { AgentSpec } from "../src/AgentConfig.ts"
import { parseAgentConfig } from "../src/ConfigFile.ts"
import type { EnvEntry } from "../src/env.ts"
import { driftLines, driftNow, driftOf, driftSummary, recordSpawn, spawnIntent, startsFrom } from "../src/spawnDrift.ts"

const file = "/f/agents/a/config.yaml"
const specOf = (run: string, rest = ""): AgentSpec => {
  const e = parseAgentConfig(file, "/f/agents/a", `agent: { id: a }\nrun: { command: x, ${run} }\n${rest}`)
  if (e._tag !== "Valid") throw new Error(e.error)
  return e.spec
}
const env = (...vars: ReadonlyArray<readonly [string, string, EnvEntry["source"]?]>): ReadonlyArray<EnvEntry> =>
  vars.map(([key, value, source]) => ({ key, value, source: source ?? "run.env" }))

const base = specOf("args: [a]")
const baseEnv = env(["API_URL", "https://one"], ["API_KEY", "s3cret", "agent .env"], ["PATH", "/bin", "host"])
const salt = "00ff"
const recorded = recordSpawn(spawnIntent(base, "/f/agents/a", baseEnv), salt)

describe("recordSpawn", () => {
  it("keeps secret-looking values as salted hashes only, and leaves the host's variables out", () => {
    expect(recorded.spec.env.API_URL).toEqual({ source: "run.env", value: "https://one" })
    expect(recorded.spec.env.API_KEY?.value).toBeUndefined()
    expect(recorded.spec.env.API_KEY?.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(recorded)).not.toContain("s3cret")
    expect(recorded.spec.env.PATH).toBeUndefined()
  })
  it("hashes the same secret differently under another salt", () => {
    const other = recordSpawn(spawnIntent(base, "/f/agents/a", baseEnv), "0100")
    expect(other.spec.env.API_KEY?.sha256).not.toBe(recorded.spec.env.API_KEY?.sha256)
  })
})

const now = (spec: AgentSpec, vars: ReadonlyArray<EnvEntry>, cwd = "/f/agents/a") => spawnIntent(spec, cwd, vars)

describe("driftOf", () => {
  it.each([
    ["nothing changed", base, baseEnv, null],
    [
      "only the host's environment changed",
      base,
      env(...baseEnv.map((e) => [e.key, e.key === "PATH" ? "/usr/bin" : e.value, e.source] as const)),
      null
    ],
    [
      "env keys in another order, a variable moved to another file with its value",
      base,
      env(["API_KEY", "s3cret", "fleet .env"], ["API_URL", "https://one", "agent .env"]),
      null
    ],
    [
      "a value changed, a key added, one removed",
      base,
      env(["API_URL", "https://two"], ["NEW_KEY", "1"]),
      "env: -API_KEY, ~API_URL (value changed), +NEW_KEY; agent .env changed"
    ],
    [
      "a secret changed",
      base,
      env(["API_URL", "https://one"], ["API_KEY", "other", "agent .env"]),
      "env: ~API_KEY (value changed); agent .env changed"
    ],
    ["args", specOf("args: [a, b]"), baseEnv, "args: [a] → [a, b]"],
    ["stop timeout", specOf("args: [a], stop_timeout: 2s"), baseEnv, "stop_timeout: 5000 → 2000"],
    ["restart policy", specOf("args: [a], restart: always"), baseEnv, "restart: on-failure → always"],
    ["a probe", specOf("args: [a]", "health: { liveness: { exec: [true] } }"), baseEnv, "health changed"]
  ])("%s", (_name, spec, vars, summary) => {
    const changes = driftOf(recorded, now(spec, vars))
    expect(changes === null ? null : driftSummary(changes)).toBe(summary)
  })
  it("the working directory", () => {
    expect(driftSummary(driftOf(recorded, now(base, baseEnv, "/srv"))!)).toBe("cwd: /f/agents/a → /srv")
  })
  it("logs settings are applied live, so they are no drift", () => {
    expect(driftOf(recorded, now(specOf("args: [a], logs: { max_size: 1MiB }"), baseEnv))).toBeNull()
  })
  it("a removed config", () => {
    expect(driftOf(recorded, null)).toEqual([{ _tag: "ConfigRemoved", file }])
  })
  it("diff lines show non-secret values, never a secret's", () => {
    const lines = driftLines(
      driftOf(recorded, now(base, env(["API_URL", "https://two"], ["API_KEY", "other", "agent .env"])))!
    )
    expect(lines).toEqual([
      "env ~API_KEY (secret: value not shown) [agent .env]",
      'env ~API_URL "https://one" → "https://two" [run.env]'
    ])
  })
})

describe("driftNow and startsFrom", () => {
  const valid = { _tag: "Valid", spec: base } as const
  const broken = { _tag: "Invalid", file: "/f/agents/b/config.yaml", id: "b", error: "bad yaml" } as const
  const starts = startsFrom(
    [valid, broken],
    ["a", "b", "gone"],
    () => ({ _tag: "Env", env: baseEnv }),
    () => "/f/agents/a"
  )
  it.each([
    ["a", null],
    ["b", [{ _tag: "ConfigInvalid", file: "/f/agents/b/config.yaml", error: "bad yaml" }]],
    ["gone", [{ _tag: "ConfigRemoved", file }]]
  ])("%s", (id, drift) => {
    expect(driftNow(recorded, starts.get(id)!)).toEqual(drift)
  })
  it("a record that does not say how it was started has no drift to show", () => {
    expect(driftNow(undefined, { _tag: "Removed" })).toBeNull()
  })
  it("an unreadable .env is what a start would fail on", () => {
    const out = startsFrom(
      [valid],
      ["a"],
      () => ({ _tag: "Invalid", file: "/f/.env", error: "/f/.env:3: bad" }),
      () => "/"
    )
    expect(driftNow(recorded, out.get("a")!)).toEqual([
      { _tag: "ConfigInvalid", file: "/f/.env", error: "/f/.env:3: bad" }
    ])
  })
})
