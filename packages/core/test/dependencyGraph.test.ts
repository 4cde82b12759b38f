import { describe, expect, it } from "vitest"
import {
  dependencyClosure,
  type DependencyGraph,
  dependentsMap,
  startLevels,
  stopLevels
} from "../src/dependencyGraph.ts"
import type { DependencyCondition } from "../src/DependsOn.ts"

/** `{ b: "a", c: "a b" }`: b depends on a, c on a and b (condition `started`, or `name=ready`). */
const graph = (spec: Record<string, string>): DependencyGraph =>
  new Map(
    Object.entries(spec).map(([id, deps]) => [
      id,
      Object.fromEntries(
        deps
          .split(" ")
          .filter((d) => d !== "")
          .map((d) => {
            const [name, condition = "started"] = d.split("=")
            return [name!, { condition: condition as DependencyCondition, restart: false, timeout: 60_000 }]
          })
      )
    ])
  )

const show = (levels: ReadonlyArray<ReadonlyArray<string>>) => levels.map((l) => l.join(" ")).join(" | ")

const notCompleted = (_: string, condition: DependencyCondition) => condition !== "completed"

const chain = { a: "", b: "a", c: "b" }
const diamond = { a: "", b: "a", c: "a", d: "b c", x: "" }

describe("dependencyClosure", () => {
  it.each<[string, Record<string, string>, ReadonlyArray<string>, ReadonlyArray<string>]>([
    ["an agent without dependencies is alone", chain, ["a"], ["a"]],
    ["a chain, from its end", chain, ["c"], ["c", "b", "a"]],
    ["a diamond names each agent once", diamond, ["d"], ["d", "b", "c", "a"]],
    ["targets first, in their order", diamond, ["x", "b"], ["x", "b", "a"]],
    ["an id missing from the graph (an invalid config) is not followed", { a: "gone" }, ["a"], ["a"]]
  ])("%s", (_, spec, ids, expected) => {
    expect(new Set(dependencyClosure(graph(spec), ids))).toEqual(new Set(expected))
    expect(dependencyClosure(graph(spec), ids).slice(0, ids.length)).toEqual(ids)
  })

  it("follows only the edges `include` accepts; one accepting edge is enough", () => {
    const g = graph({ migrate: "", db: "", api: "migrate=completed db=ready", worker: "migrate=started" })
    expect(dependencyClosure(g, ["api"], notCompleted)).toEqual(["api", "db"])
    expect(new Set(dependencyClosure(g, ["api", "worker"], notCompleted))).toEqual(
      new Set(["api", "worker", "db", "migrate"])
    )
  })
})

describe("startLevels and stopLevels", () => {
  it.each<[string, Record<string, string>, ReadonlyArray<string>, string, string]>([
    ["independent agents: one level", { a: "", b: "", c: "" }, ["a", "b", "c"], "a b c", "a b c"],
    ["a chain: one per level; stop in reverse", chain, ["a", "b", "c"], "a | b | c", "c | b | a"],
    ["a diamond: the middle together", diamond, ["a", "b", "c", "d", "x"], "a x | b c | d", "d x | b c | a"],
    [
      "an agent nothing depends on stops in the first level; one without dependencies starts in the first",
      { a: "", b: "a", c: "b", x: "", y: "x" },
      ["a", "b", "c", "x", "y"],
      "a x | b y | c",
      "c y | b x | a"
    ],
    ["a subset keeps the order through agents left out", chain, ["c", "a"], "a | c", "c | a"],
    ["each level in the order given", { a: "", b: "", c: "a" }, ["c", "b", "a"], "b a | c", "c b | a"],
    ["an id twice counts once", chain, ["a", "a"], "a", "a"]
  ])("%s", (_, spec, ids, start, stop) => {
    expect(show(startLevels(graph(spec), ids))).toBe(start)
    expect(show(stopLevels(graph(spec), ids))).toBe(stop)
  })

  it("a cycle (never in a validated fleet) still yields every agent exactly once", () => {
    const g = graph({ a: "b", b: "c", c: "a" })
    for (const levels of [startLevels(g, ["a", "b", "c"]), stopLevels(g, ["a", "b", "c"])]) {
      expect(levels.flat().toSorted()).toEqual(["a", "b", "c"])
    }
  })

  it("dependentsMap inverts the edges", () => {
    expect(Object.fromEntries(dependentsMap(graph(diamond)))).toEqual({ a: ["b", "c"], b: ["d"], c: ["d"] })
  })
})
