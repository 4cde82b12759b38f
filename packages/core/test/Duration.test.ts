import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatDurationMs, formatUptime, parseDurationMs } from "../src/Duration.ts"

// Fixed, so a failure replays; the number of runs is what buys the coverage.
const seed = 1_717_000_001
const numRuns = 2_000

describe("durations", () => {
  it.each<[string | number, number | undefined]>([
    ["5s", 5000],
    ["500ms", 500],
    ["2m", 120000],
    ["1h", 3600000],
    ["1.5s", 1500],
    ["1.001s", 1001],
    [" 3 s ", 3000],
    ["7", 7000],
    [2, 2000],
    ["0.0005s", 1],
    ["9007199254740.991s", Number.MAX_SAFE_INTEGER],
    ["9007199254741s", undefined],
    [1e300, undefined],
    ["soon", undefined],
    ["-1s", undefined],
    [-1, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    ["5d", undefined],
    ["1e3s", undefined],
    [".5s", undefined],
    ["", undefined]
  ])("parseDurationMs(%j) = %j", (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms)
  })

  it("reads a megabyte of blanks in one pass", () => {
    // Blanks on both sides of an optional unit made the old pattern backtrack quadratically: minutes here.
    expect(parseDurationMs(`1${" ".repeat(1_000_000)}x`)).toBeUndefined()
    expect(parseDurationMs(`${" ".repeat(1_000_000)}1s${" ".repeat(1_000_000)}`)).toBe(1000)
  })

  it.each([
    [0, "0ms"],
    [999, "999ms"],
    [1000, "1s"],
    [1500, "1.5s"],
    [1001, "1.001s"],
    [120_000, "2m"],
    [3_600_000, "1h"],
    [Number.MAX_SAFE_INTEGER, "9007199254740.991s"]
  ])("formatDurationMs(%i) = %s", (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text)
  })

  it.each([
    [0, "0s"],
    [59, "59s"],
    [61, "1m01s"],
    [3661, "1h01m"],
    [90000, "1d01h"]
  ])("formatUptime(%i) = %s", (s, text) => {
    expect(formatUptime(s)).toBe(text)
  })
})

// Whole milliseconds, weighted towards the shapes the formatter treats apart.
const wholeMs = fc.oneof(
  fc.nat(5_000),
  fc.maxSafeNat(),
  fc.nat(1_000_000).map((n) => n * 1000),
  fc.nat(1_000_000).map((n) => n * 60_000),
  fc.nat(1_000_000).map((n) => n * 3_600_000)
)

describe("durations: properties", () => {
  it("parseDurationMs(formatDurationMs(ms)) === ms for every whole ms up to 2^53 - 1", () => {
    fc.assert(
      fc.property(wholeMs, (ms) => {
        const text = formatDurationMs(ms)
        expect(text).toMatch(/^\d+(\.\d+)?(ms|s|m|h)$/)
        expect(parseDurationMs(text)).toBe(ms)
      }),
      { seed, numRuns }
    )
  })

  it("parseDurationMs never throws, and gives undefined or a whole ms up to 2^53 - 1", () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom("0", "1", "9", ".", " ", "\t", "-", "+", "e", "m", "s", "h", "d") }),
      fc
        .tuple(fc.stringMatching(/^\d{1,30}(\.\d{1,30})?$/), fc.constantFrom("", "ms", "s", "m", "h", " s"))
        .map(([n, unit]) => n + unit)
    )
    fc.assert(
      fc.property(fc.oneof(text, fc.double()), (input) => {
        const ms = parseDurationMs(input)
        if (ms !== undefined) {
          expect(Number.isSafeInteger(ms)).toBe(true)
          expect(ms).toBeGreaterThanOrEqual(0)
        }
      }),
      { seed, numRuns }
    )
  })

  it("rejects every negative number and every text with a sign", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
          fc
            .tuple(fc.constantFrom("-", "+"), fc.nat(), fc.constantFrom("", "ms", "s"))
            .map(([s, n, u]) => `${s}${n}${u}`)
        ),
        (input) => {
          expect(parseDurationMs(input)).toBeUndefined()
        }
      ),
      { seed, numRuns }
    )
  })

  it("a number of seconds is its milliseconds, rounded", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (seconds) => {
        expect(parseDurationMs(seconds)).toBe(Math.round(seconds * 1000))
      }),
      { seed, numRuns }
    )
  })
})
