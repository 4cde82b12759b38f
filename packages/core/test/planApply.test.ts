import { describe, expect, it } from "@effect/vitest"
import { type AgentFacts, planApply, restartWaves } from "../src/planApply.ts"

const facts = (id: string, f: Partial<AgentFacts>): AgentFacts => ({
  id,
  config: "valid",
  enabled: true,
  running: true,
  drift: null,
  fresh: false,
  ...f
})
const envDrift = [
  { _tag: "Env", key: "A", change: "changed", source: "run.env", secret: false, before: "1", after: "2" }
] as const

describe("planApply", () => {
  it.each<[string, Partial<AgentFacts>, string, RegExp]>([
    ["running as its files say: left alone", {}, "none", /up to date/],
    ["drifted: restarted, saying what changed", { drift: envDrift }, "restart", /drifted: env: ~A \(value changed\)/],
    [
      "new (or newly enabled) and not running: started",
      { running: false, fresh: true },
      "start",
      /new or newly enabled/
    ],
    ["stopped or exited by someone: not resurrected", { running: false }, "none", /agentctl start a starts it/],
    ["disabled while running: stopped", { enabled: false }, "stop", /disabled/],
    ["disabled and not running: nothing", { enabled: false, running: false }, "none", /disabled/],
    [
      "its config file removed while running: stopped",
      { config: "removed", enabled: false },
      "stop",
      /config file removed/
    ],
    ["removed and not running: nothing", { config: "removed", running: false }, "none", /not running/],
    ["its config broke: what runs is left as it was", { config: "invalid", drift: envDrift }, "none", /config invalid/],
    [
      "a .env that does not parse: reported, not restarted into a failure",
      { drift: [{ _tag: "ConfigInvalid", file: "/f/.env", error: "/f/.env:2: bad" }] },
      "none",
      /config invalid: left as it is/
    ]
  ])("%s", (_name, f, action, reason) => {
    const [p] = planApply([facts("a", f)])
    expect(p!.action).toBe(action)
    expect(p!.reason).toMatch(reason)
  })

  it("only the agents asked for, in id order", () => {
    const plan = planApply(
      [facts("c", { drift: envDrift }), facts("a", {}), facts("b", { drift: envDrift })],
      ["c", "a"]
    )
    expect(plan.map((p) => [p.id, p.action])).toEqual([
      ["a", "none"],
      ["c", "restart"]
    ])
  })
})

describe("restartWaves", () => {
  it.each<
    [string, ReadonlyArray<string>, ReadonlyArray<ReadonlyArray<string>>, number, ReadonlyArray<ReadonlyArray<string>>]
  >([
    ["at most `parallel` at once", ["a", "b", "c"], [["a", "b", "c"]], 2, [["a", "b"], ["c"]]],
    ["dependencies first, a level per wave", ["app", "db"], [["db"], ["app"]], 4, [["db"], ["app"]]],
    ["only what restarts", ["app"], [["db"], ["app"]], 4, [["app"]]],
    ["an agent outside the order still restarts, last", ["x", "db"], [["db"]], 4, [["db"], ["x"]]]
  ])("%s", (_name, restarts, order, parallel, waves) => {
    expect(restartWaves(restarts, order, parallel)).toEqual(waves)
  })
})
