import { describe, expect, it } from "vitest"
import type { AgentSpec } from "../src/AgentConfig.ts"
import { canonicalJson } from "../src/canonicalJson.ts"
import { parseAgentConfig } from "../src/ConfigFile.ts"
import type { LoadedFleet } from "../src/FleetLoader.ts"
import { defaultFleetSettings } from "../src/FleetSettings.ts"
import { planReload } from "../src/planReload.ts"

const config = (id: string, run: string, enabled = true) =>
  `agent:\n  id: ${id}\n  enabled: ${enabled}\nrun:\n  command: worker\n${run}`

/** A fleet from `id → config text`; text "broken" makes an invalid file claiming that id. */
const fleet = (files: Readonly<Record<string, string>>): LoadedFleet => {
  const entries = Object.entries(files).map(([id, text]) =>
    text === "broken"
      ? ({ _tag: "Invalid", file: `/f/agents/${id}/config.yaml`, id, error: "bad" } as const)
      : parseAgentConfig(`/f/agents/${id}/config.yaml`, `/f/agents/${id}`, text)
  )
  const agents = new Map<string, AgentSpec>()
  for (const e of entries) if (e._tag === "Valid") agents.set(e.spec.config.agent.id, e.spec)
  return { root: "/f", settings: defaultFleetSettings, entries, agents }
}

const env = (pairs: string) => `  env: { ${pairs} }\n`

describe("canonicalJson", () => {
  it.each([
    [{ b: 1, a: 2 }, { a: 2, b: 1 }, true],
    [{ env: { B: "1", A: "2" } }, { env: { A: "2", B: "1" } }, true],
    [{ args: ["a", "b"] }, { args: ["b", "a"] }, false],
    [{ a: { x: 1 } }, { a: { x: 2 } }, false],
    [[{ b: 1, a: 1 }], [{ a: 1, b: 1 }], true]
  ])("%j vs %j: same = %s", (a, b, same) => {
    expect(canonicalJson(a) === canonicalJson(b)).toBe(same)
  })
})

describe("planReload", () => {
  const cases: ReadonlyArray<{
    readonly name: string
    readonly before: Readonly<Record<string, string>>
    readonly after: Readonly<Record<string, string>>
    readonly supervised: ReadonlyArray<string>
    readonly expect: Partial<Record<"started" | "stopped" | "restarted" | "unchanged", ReadonlyArray<string>>>
  }> = [
    {
      name: "env keys reordered: nothing restarts",
      before: { a: config("a", env("A: 1, B: 2")) },
      after: { a: config("a", env("B: 2, A: 1")) },
      supervised: ["a"],
      expect: { unchanged: ["a"] }
    },
    {
      name: "only run.logs changed: applied to the running agent's log, no restart",
      before: { a: config("a", "  logs: { max_size: 1MiB }\n") },
      after: { a: config("a", "  logs: { max_size: 2MiB, keep: 9 }\n") },
      supervised: ["a"],
      expect: { unchanged: ["a"] }
    },
    {
      name: "an env value changed: that agent restarts, the other stays",
      before: { a: config("a", env("A: 1")), b: config("b", "") },
      after: { a: config("a", env("A: 2")), b: config("b", "") },
      supervised: ["a", "b"],
      expect: { restarted: ["a"], unchanged: ["b"] }
    },
    {
      name: "args reordered is a change (argv order matters)",
      before: { a: config("a", "  args: [x, y]\n") },
      after: { a: config("a", "  args: [y, x]\n") },
      supervised: ["a"],
      expect: { restarted: ["a"] }
    },
    {
      name: "a new enabled agent starts; a removed one stops",
      before: { old: config("old", "") },
      after: { fresh: config("fresh", "") },
      supervised: ["old"],
      expect: { started: ["fresh"], stopped: ["old"] }
    },
    {
      name: "disabled while running: stops; disabled and not running: unchanged",
      before: { a: config("a", ""), b: config("b", "") },
      after: { a: config("a", "", false), b: config("b", "", false) },
      supervised: ["a"],
      expect: { stopped: ["a"], unchanged: ["b"] }
    },
    {
      name: "enabled again: starts",
      before: { a: config("a", "", false) },
      after: { a: config("a", "") },
      supervised: [],
      expect: { started: ["a"] }
    },
    {
      name: "a config that broke leaves what runs alone",
      before: { a: config("a", "") },
      after: { a: "broken" },
      supervised: ["a"],
      expect: { unchanged: ["a"] }
    },
    {
      name: "exited (not supervised) and unchanged: not resurrected",
      before: { a: config("a", "") },
      after: { a: config("a", "") },
      supervised: [],
      expect: { unchanged: ["a"] }
    },
    {
      name: "exited and changed: still not started by a reload",
      before: { a: config("a", env("A: 1")) },
      after: { a: config("a", env("A: 2")) },
      supervised: [],
      expect: { unchanged: ["a"] }
    }
  ]
  it.each(cases)("$name", (c) => {
    const plan = planReload(fleet(c.before), fleet(c.after), new Set(c.supervised))
    expect({
      started: plan.started,
      stopped: plan.stopped,
      restarted: plan.restarted,
      unchanged: plan.unchanged
    }).toEqual({ started: [], stopped: [], restarted: [], unchanged: [], ...c.expect })
  })

  it("reports the invalid files of the new fleet", () => {
    const plan = planReload(fleet({}), fleet({ a: "broken" }), new Set())
    expect(plan.invalid).toEqual([{ file: "/f/agents/a/config.yaml", error: "bad" }])
  })
})
