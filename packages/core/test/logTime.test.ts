import { describe, expect, it } from "vitest"
import { parseTimeBound, resolveTimeBound, type TimeBound, timeBoundPattern } from "../src/logTime.ts"

describe("log time bounds", () => {
  it.each<[string, TimeBound | undefined]>([
    ["10m", { _tag: "Ago", ms: 600_000 }],
    ["1.5h", { _tag: "Ago", ms: 5_400_000 }],
    ["30", { _tag: "Ago", ms: 30_000 }],
    ["250ms", { _tag: "Ago", ms: 250 }],
    ["2024-05-01T12:00:00Z", { _tag: "At", ms: Date.UTC(2024, 4, 1, 12) }],
    ["2024-05-01T12:00:00.250+02:00", { _tag: "At", ms: Date.UTC(2024, 4, 1, 10, 0, 0, 250) }],
    ["2024-05-01", { _tag: "At", ms: Date.UTC(2024, 4, 1) }],
    ["2024-13-01", undefined],
    ["yesterday", undefined],
    ["-5m", undefined],
    ["5d", undefined],
    ["", undefined],
    ["March 7", undefined]
  ])("%j", (input, expected) => {
    expect(parseTimeBound(input)).toEqual(expected)
    // The API's pattern lets through everything the parser takes.
    if (expected !== undefined) expect(new RegExp(timeBoundPattern, "u").test(input)).toBe(true)
  })

  it.each<[TimeBound, number]>([
    [{ _tag: "Ago", ms: 1000 }, 9000],
    [{ _tag: "At", ms: 42 }, 42]
  ])("resolves %j against now = 10000", (bound, ms) => {
    expect(resolveTimeBound(bound, 10_000)).toBe(ms)
  })
})
