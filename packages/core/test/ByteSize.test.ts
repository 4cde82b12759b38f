import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ByteSize, formatBytes, formatByteSize, isAtLeastBytes, parseByteSize } from "../src/ByteSize.ts"

// Fixed, so a failure replays; the number of runs is what buys the coverage.
const seed = 1_717_000_002
const numRuns = 2_000

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB
const TiB = 1024 * GiB

describe("byte sizes", () => {
  it.each<[string | number, number | undefined]>([
    ["0", 0],
    ["512", 512],
    ["512B", 512],
    ["4KiB", 4 * KiB],
    ["10MiB", 10 * MiB],
    ["10 MiB", 10 * MiB],
    [" 10MiB ", 10 * MiB],
    ["1GiB", GiB],
    ["1.5GiB", 1.5 * GiB],
    ["2TiB", 2 * TiB],
    ["1kB", 1000],
    ["1KB", 1000],
    ["2.5MB", 2_500_000],
    ["1GB", 1e9],
    ["1TB", 1e12],
    ["0.1GiB", Math.round(0.1 * GiB)],
    ["0.0001KiB", 0],
    [0, 0],
    [4096, 4096],
    ["8191.999999TiB", Math.round(8191.999999 * TiB)],
    ["8192TiB", undefined],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    [Number.MAX_SAFE_INTEGER + 1, undefined],
    ["1.5B", undefined],
    ["1.5", undefined],
    [1.5, undefined],
    [-1, undefined],
    ["-1MiB", undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    ["10 parsecs", undefined],
    ["10mib", undefined],
    ["10Mb", undefined],
    ["10M", undefined],
    ["10 Mi B", undefined],
    ["1e3", undefined],
    [".5MiB", undefined],
    ["MiB", undefined],
    ["", undefined]
  ])("parseByteSize(%j) = %j", (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes)
  })

  it("reads a megabyte of blanks in one pass", () => {
    expect(parseByteSize(`1${" ".repeat(1_000_000)}x`)).toBeUndefined()
    expect(parseByteSize(`${" ".repeat(1_000_000)}1KiB${" ".repeat(1_000_000)}`)).toBe(KiB)
  })

  it.each([
    [0, "0B"],
    [1, "1B"],
    [1000, "1000B"],
    [KiB, "1KiB"],
    [1536, "1536B"],
    [10 * MiB, "10MiB"],
    [1.5 * GiB, "1536MiB"],
    [GiB, "1GiB"],
    [3 * TiB, "3TiB"],
    [Number.MAX_SAFE_INTEGER, `${Number.MAX_SAFE_INTEGER}B`]
  ])("formatByteSize(%i) = %s", (bytes, text) => {
    expect(formatByteSize(bytes)).toBe(text)
  })

  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [KiB, "1 KiB"],
    [1536, "1.5 KiB"],
    [9.5 * MiB, "9.5 MiB"],
    [10 * MiB, "10 MiB"],
    [123.4 * MiB, "123 MiB"],
    [1048535, "1 MiB"],
    [GiB - 1, "1 GiB"],
    [2.25 * TiB, "2.3 TiB"],
    [5000 * TiB, "5000 TiB"]
  ])("formatBytes(%i) = %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})

describe("ByteSize schema", () => {
  const decode = Schema.decodeUnknownResult(ByteSize)

  it("decodes a size to bytes and encodes it back to text", () => {
    expect(Schema.decodeUnknownSync(ByteSize)("10MiB")).toBe(10 * MiB)
    expect(Schema.decodeUnknownSync(ByteSize)(4096)).toBe(4096)
    expect(Schema.encodeSync(ByteSize)(10 * MiB)).toBe("10MiB")
    expect(Schema.encodeSync(ByteSize)(1000)).toBe("1000B")
  })

  it.each<[unknown, string]>([
    ["10 parsecs", 'expected a size such as 10MiB or 1GiB, got "10 parsecs"'],
    [-1, "expected a size such as 10MiB or 1GiB, got -1"],
    [true, "Expected string | number"]
  ])("%j is refused, saying what is expected", (input, message) => {
    const r = decode(input)
    expect(Result.isFailure(r) && r.failure.message).toContain(message)
  })

  it("a floor says itself in units", () => {
    const r = Schema.decodeUnknownResult(ByteSize.check(isAtLeastBytes(4 * KiB)))("1000B")
    expect(Result.isFailure(r) && r.failure.message).toContain("expected at least 4KiB, got 1000B")
  })
})

const wholeBytes = fc.oneof(
  fc.nat(5_000),
  fc.maxSafeNat(),
  fc.nat(1_000_000).map((n) => n * KiB),
  fc.nat(1_000_000).map((n) => n * MiB),
  fc.nat(1_000_000).map((n) => n * GiB),
  fc.nat(8_191).map((n) => n * TiB)
)

describe("byte sizes: properties", () => {
  it("parseByteSize(formatByteSize(n)) === n for every whole byte count up to 2^53 - 1", () => {
    fc.assert(
      fc.property(wholeBytes, (bytes) => {
        const text = formatByteSize(bytes)
        expect(text).toMatch(/^\d+(B|KiB|MiB|GiB|TiB)$/)
        expect(parseByteSize(text)).toBe(bytes)
      }),
      { seed, numRuns }
    )
  })

  it("parseByteSize never throws, and gives undefined or whole bytes up to 2^53 - 1", () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom("0", "1", "9", ".", " ", "-", "e", "B", "K", "i", "k", "M", "G", "T") }),
      fc
        .tuple(
          fc.stringMatching(/^\d{1,30}(\.\d{1,30})?$/),
          fc.constantFrom("", "B", "KiB", "MiB", "GiB", "TiB", "kB", "KB", "MB", "GB", "TB", " MiB")
        )
        .map(([n, unit]) => n + unit)
    )
    fc.assert(
      fc.property(fc.oneof(text, fc.double()), (input) => {
        const bytes = parseByteSize(input)
        if (bytes !== undefined) {
          expect(Number.isSafeInteger(bytes)).toBe(true)
          expect(bytes).toBeGreaterThanOrEqual(0)
        }
      }),
      { seed, numRuns }
    )
  })
})
