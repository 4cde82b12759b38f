import { describe, expect, it } from "vitest"
import {
  type AgentLogUsage,
  type DiskSpace,
  type Eviction,
  keepFreeBytes,
  logUsageTotal,
  planEviction
} from "../src/logBudget.ts"
import type { FleetLogBudget } from "../src/LogSettings.ts"

const MiB = 1024 * 1024

/** An agent whose rotated files are `[name, MiB, newestAt]`, oldest first; sizes in MiB to keep tables short. */
const agent = (
  id: string,
  currentMiB: number,
  rotated: ReadonlyArray<readonly [string, number, number]>,
  opts: { readonly keep?: number; readonly minKeepMiB?: number } = {}
): AgentLogUsage => ({
  id,
  currentBytes: currentMiB * MiB,
  rotated: rotated.map(([name, mib, newestAt]) => ({ name, bytes: mib * MiB, newestAt })),
  keep: opts.keep ?? 10,
  minKeep: (opts.minKeepMiB ?? 0) * MiB
})

const budget = (maxTotalMiB: number, keepFree: FleetLogBudget["keepFree"] = { _tag: "Percent", percent: 0 }) => ({
  maxTotal: maxTotalMiB * MiB,
  keepFree
})

const diskMiB = (totalMiB: number, freeMiB: number): DiskSpace => ({
  totalBytes: totalMiB * MiB,
  freeBytes: freeMiB * MiB
})

/** `id/name reason`, the plan in the order it deletes. */
const plan = (evictions: ReadonlyArray<Eviction>) => evictions.map((e) => `${e.id}/${e.name} ${e.reason}`)

// One chatty agent (big files, rotating often) and one quiet one (a small file a day).
const chatty = (opts: { readonly minKeepMiB?: number } = {}) =>
  agent(
    "chatty",
    5,
    [
      ["c1", 10, 300],
      ["c2", 10, 400],
      ["c3", 10, 500]
    ],
    opts
  )
const quiet = (opts: { readonly minKeepMiB?: number } = {}) =>
  agent(
    "quiet",
    1,
    [
      ["q1", 1, 100],
      ["q2", 1, 200],
      ["q3", 1, 600]
    ],
    opts
  )

describe("planEviction", () => {
  it.each<[string, ReadonlyArray<AgentLogUsage>, FleetLogBudget, DiskSpace | null, ReadonlyArray<string>]>([
    ["no agents: nothing to do", [], budget(0), diskMiB(100, 0), []],
    ["within every budget: nothing to do", [chatty(), quiet()], budget(100), diskMiB(1000, 500), []],
    [
      "keep only: each agent's files beyond keep, oldest first, across agents by age",
      [
        agent(
          "a",
          1,
          [
            ["a1", 1, 10],
            ["a2", 1, 30],
            ["a3", 1, 50]
          ],
          { keep: 1 }
        ),
        agent(
          "b",
          1,
          [
            ["b1", 1, 20],
            ["b2", 1, 40]
          ],
          { keep: 1 }
        )
      ],
      budget(100),
      null,
      ["a/a1 keep", "b/b1 keep", "a/a2 keep"]
    ],
    [
      "keep: 0 deletes every rotated file, never the current one",
      [
        agent(
          "a",
          50,
          [
            ["a1", 1, 10],
            ["a2", 1, 20]
          ],
          { keep: 0, minKeepMiB: 100 }
        )
      ],
      budget(1),
      null,
      ["a/a1 keep", "a/a2 keep"]
    ],
    [
      // 39 MiB in all: the quiet agent's oldest files are the oldest, so they go first, then the
      // chatty one's, until the total fits.
      "max_total across two agents: the globally oldest first, whoever wrote it",
      [chatty(), quiet()],
      budget(25),
      null,
      ["quiet/q1 max_total", "quiet/q2 max_total", "chatty/c1 max_total", "chatty/c2 max_total"]
    ],
    [
      // The quiet agent's 4 MiB is all min_keep allows it: the chatty one pays, though younger.
      "max_total: the quiet agent is protected by min_keep, the chatty one's files go",
      [chatty(), quiet({ minKeepMiB: 4 })],
      budget(25),
      null,
      ["chatty/c1 max_total", "chatty/c2 max_total"]
    ],
    [
      "min_keep lets an agent go down to exactly min_keep",
      [quiet({ minKeepMiB: 2 })],
      budget(0),
      null,
      ["quiet/q1 max_total", "quiet/q2 max_total"]
    ],
    [
      "min_keep blocks everything: the budget stays unmet, nothing is deleted",
      [chatty({ minKeepMiB: 35 }), quiet({ minKeepMiB: 4 })],
      budget(1),
      diskMiB(1000, 0),
      []
    ],
    [
      // a1 is held by min_keep (deleting it would leave a 3 MiB, under 4); a2 would fit, but deleting
      // it past a kept a1 would leave a hole in a's history.
      "an agent loses history from its oldest end only",
      [
        agent(
          "a",
          1,
          [
            ["a1", 5, 10],
            ["a2", 1, 20],
            ["a3", 1, 30]
          ],
          { minKeepMiB: 4 }
        ),
        agent("b", 1, [["b1", 1, 40]])
      ],
      budget(0),
      null,
      ["b/b1 max_total"]
    ],
    [
      // 5% of 1000 MiB is 50 MiB wanted free; 45 are, so 5 MiB must go: q1 and q2 (2), then c1 (10).
      "keep_free as a percent: files go until free space plus what was freed reaches it",
      [chatty(), quiet()],
      budget(1000, { _tag: "Percent", percent: 5 }),
      diskMiB(1000, 45),
      ["quiet/q1 keep_free", "quiet/q2 keep_free", "chatty/c1 keep_free"]
    ],
    [
      "keep_free in bytes",
      [chatty(), quiet()],
      budget(1000, { _tag: "Bytes", bytes: 12 * MiB }),
      diskMiB(1000, 10),
      ["quiet/q1 keep_free", "quiet/q2 keep_free"]
    ],
    [
      "keep_free already met: nothing to do",
      [chatty(), quiet()],
      budget(1000, { _tag: "Percent", percent: 5 }),
      diskMiB(1000, 50),
      []
    ],
    [
      "keep_free counts what keep already freed",
      [
        agent(
          "a",
          1,
          [
            ["a1", 10, 10],
            ["a2", 10, 20]
          ],
          { keep: 1 }
        )
      ],
      budget(1000, { _tag: "Bytes", bytes: 15 * MiB }),
      diskMiB(1000, 5),
      ["a/a1 keep"]
    ],
    [
      "no disk given: keep_free is not checked",
      [chatty(), quiet()],
      budget(1000, { _tag: "Bytes", bytes: 1000 * MiB }),
      null,
      []
    ],
    [
      // Over max_total by 11 MiB and short of 2 MiB free: keep_free is named while it is unmet
      // (q1, q2), then max_total for the rest of what the total needs (c1).
      "both rules unmet: keep_free is named until it holds, then max_total",
      [chatty(), quiet()],
      budget(28, { _tag: "Bytes", bytes: 12 * MiB }),
      diskMiB(1000, 10),
      ["quiet/q1 keep_free", "quiet/q2 keep_free", "chatty/c1 max_total"]
    ],
    [
      "ties in age: by agent id, then by name",
      [
        agent("b", 0, [["x", 1, 100]]),
        agent("a", 0, [
          ["y", 1, 100],
          ["z", 1, 100]
        ]),
        agent("c", 0, [["w", 1, 50]])
      ],
      budget(0),
      null,
      ["c/w max_total", "a/y max_total", "a/z max_total", "b/x max_total"]
    ],
    [
      "keep first, then the budget, in one plan",
      [
        agent(
          "a",
          1,
          [
            ["a1", 2, 10],
            ["a2", 2, 20],
            ["a3", 2, 30]
          ],
          { keep: 2 }
        ),
        agent("b", 1, [["b1", 2, 15]])
      ],
      budget(6),
      null,
      ["a/a1 keep", "b/b1 max_total"]
    ]
  ])("%s", (_, agents, fleetBudget, disk, expected) => {
    expect(plan(planEviction(agents, fleetBudget, disk))).toEqual(expected)
  })

  it("each eviction carries the file's size", () => {
    expect(planEviction([quiet()], budget(3), null)).toEqual([
      { id: "quiet", name: "q1", bytes: MiB, reason: "max_total" }
    ])
  })

  it("the plan does not depend on the order agents are listed in", () => {
    const agents = [chatty(), quiet(), agent("z", 2, [["z1", 3, 350]])]
    const forwards = planEviction(agents, budget(20), diskMiB(1000, 0))
    expect(planEviction(agents.toReversed(), budget(20), diskMiB(1000, 0))).toEqual(forwards)
  })
})

describe("logUsageTotal", () => {
  it.each<[string, ReadonlyArray<AgentLogUsage>, number]>([
    ["no agents", [], 0],
    ["current files only", [agent("a", 2, []), agent("b", 3, [])], 5 * MiB],
    ["current and rotated, every agent", [chatty(), quiet()], 39 * MiB]
  ])("%s", (_, agents, bytes) => {
    expect(logUsageTotal(agents)).toBe(bytes)
  })
})

describe("keepFreeBytes", () => {
  it.each<[FleetLogBudget["keepFree"], DiskSpace, number]>([
    [{ _tag: "Percent", percent: 5 }, { totalBytes: 1000, freeBytes: 0 }, 50],
    [{ _tag: "Percent", percent: 0.5 }, { totalBytes: 1001, freeBytes: 0 }, 6],
    [{ _tag: "Percent", percent: 0 }, { totalBytes: 1000, freeBytes: 0 }, 0],
    [{ _tag: "Percent", percent: 100 }, { totalBytes: 1000, freeBytes: 0 }, 1000],
    [{ _tag: "Bytes", bytes: 4096 }, { totalBytes: 1000, freeBytes: 0 }, 4096]
  ])("%j of %j is %i bytes", (keepFree, disk, bytes) => {
    expect(keepFreeBytes(keepFree, disk)).toBe(bytes)
  })
})
