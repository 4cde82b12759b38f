import { describe, expect, it } from "vitest"
import { daemonlessLogUsage, launcherLogUsage } from "../src/logUsageOf.ts"

const KiB = 1024

describe("daemonlessLogUsage", () => {
  it.each([
    { name: "a raw log within max_size: no warning", raw: 8 * KiB, undrained: null, warning: null },
    { name: "exactly max_size: no warning", raw: 10 * KiB, undrained: null, warning: null },
    {
      name: "over max_size: says so and how to fix it",
      raw: 10 * KiB + 1,
      undrained: null,
      warning:
        /^run\/a\.log is 10 KiB, over max_size \(10 KiB\), and no launcher rotates it: run `agentctl logs --rotate`/
    },
    {
      name: "writing to a FIFO no launcher drains",
      raw: 0,
      undrained: "run/logs/a/stdout.fifo",
      warning: /^its output goes to run\/logs\/a\/stdout\.fifo, which only a launcher drains/
    },
    {
      name: "both: both, the blocked agent first",
      raw: 20 * KiB,
      undrained: "f",
      warning: /^its output goes to f.*; run\/a\.log is 20 KiB/
    }
  ])("$name", ({ raw, undrained, warning }) => {
    const usage = daemonlessLogUsage(5 * KiB, { path: "run/a.log", bytes: raw }, 10 * KiB, undrained)
    expect(usage.bytes).toBe(5 * KiB + raw)
    // Without a launcher nothing counted them.
    expect([usage.writtenBytes, usage.droppedBytes, usage.evictedBytes, usage.cutLines]).toEqual([
      null,
      null,
      null,
      null
    ])
    if (warning === null) expect(usage.warning).toBeNull()
    else expect(usage.warning).toMatch(warning)
  })
})

describe("launcherLogUsage", () => {
  it("is the launcher's counts, with nothing to warn of", () => {
    const counts = { bytes: 1, writtenBytes: 2, droppedBytes: 3, evictedBytes: 4, cutLines: 5 }
    expect(launcherLogUsage(counts)).toEqual({ ...counts, warning: null })
  })
})
