import { describe, expect, it } from "vitest"
import { cpuPercent, startedAtMs, uptimeSeconds } from "../src/usage.ts"

const boot = 1_700_000_000_000

describe("startedAtMs", () => {
  it.each([
    { name: "at boot", startTime: 0, ticksPerSecond: 100, bootTimeMs: boot, expected: boot },
    { name: "one second after boot", startTime: 100, ticksPerSecond: 100, bootTimeMs: boot, expected: boot + 1000 },
    {
      name: "a tick is 10ms at 100Hz",
      startTime: 12_345,
      ticksPerSecond: 100,
      bootTimeMs: boot,
      expected: boot + 123_450
    },
    { name: "another tick rate", startTime: 250, ticksPerSecond: 250, bootTimeMs: boot, expected: boot + 1000 },
    { name: "rounds to a whole ms", startTime: 1, ticksPerSecond: 300, bootTimeMs: boot, expected: boot + 3 },
    { name: "no tick rate", startTime: 100, ticksPerSecond: 0, bootTimeMs: boot, expected: null },
    { name: "negative tick rate", startTime: 100, ticksPerSecond: -100, bootTimeMs: boot, expected: null },
    { name: "NaN start", startTime: Number.NaN, ticksPerSecond: 100, bootTimeMs: boot, expected: null }
  ])("$name", ({ expected, ...input }) => {
    expect(startedAtMs(input)).toBe(expected)
  })
})

describe("uptimeSeconds", () => {
  it.each([
    { name: "just started", startTime: 100, nowMs: boot + 1000, expected: 0 },
    { name: "whole seconds, rounded down", startTime: 100, nowMs: boot + 1000 + 59_999, expected: 59 },
    { name: "a day", startTime: 0, nowMs: boot + 86_400_000, expected: 86_400 },
    { name: "starts after now (clock stepped back)", startTime: 500, nowMs: boot + 1000, expected: 0 },
    { name: "now before boot", startTime: 0, nowMs: boot - 60_000, expected: 0 },
    { name: "no tick rate", startTime: 100, nowMs: boot + 5000, ticksPerSecond: 0, expected: 0 },
    { name: "NaN now", startTime: 100, nowMs: Number.NaN, expected: 0 }
  ])("$name", ({ expected, startTime, nowMs, ticksPerSecond = 100 }) => {
    expect(uptimeSeconds({ startTime, ticksPerSecond, bootTimeMs: boot, nowMs })).toBe(expected)
  })
})

describe("cpuPercent", () => {
  it.each([
    { name: "idle", a: [100, 0], b: [100, 1000], hz: 100, expected: 0 },
    { name: "one full core", a: [100, 0], b: [200, 1000], hz: 100, expected: 100 },
    { name: "half a core", a: [0, 0], b: [50, 1000], hz: 100, expected: 50 },
    { name: "four cores", a: [0, 0], b: [800, 2000], hz: 100, expected: 400 },
    { name: "rounds to 0.1", a: [0, 0], b: [1, 3000], hz: 100, expected: 0.3 },
    { name: "0.125 rounds to 0.1", a: [0, 0], b: [1, 8000], hz: 100, expected: 0.1 },
    { name: "a tick rate of 250", a: [0, 0], b: [125, 1000], hz: 250, expected: 50 },
    { name: "sub-second interval", a: [10, 1000], b: [15, 1100], hz: 100, expected: 50 },
    { name: "zero interval", a: [0, 1000], b: [50, 1000], hz: 100, expected: 0 },
    { name: "samples out of order", a: [0, 2000], b: [50, 1000], hz: 100, expected: 0 },
    { name: "counter went down (pid reused)", a: [500, 0], b: [10, 1000], hz: 100, expected: 0 },
    { name: "no tick rate", a: [0, 0], b: [100, 1000], hz: 0, expected: 0 },
    { name: "NaN sample", a: [0, Number.NaN], b: [100, 1000], hz: 100, expected: 0 }
  ] as const)("$name", ({ a, b, hz, expected }) => {
    expect(cpuPercent({ cpuTicks: a[0], sampledAt: a[1] }, { cpuTicks: b[0], sampledAt: b[1] }, hz)).toBe(expected)
  })
})
