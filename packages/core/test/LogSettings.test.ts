import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { describe, expect, it } from "vitest"
import {
  AgentLogSettings,
  fleetLogBudget,
  KeepFree,
  LogSettings,
  resolveLogSettings,
  type ResolvedLogSettings
} from "../src/LogSettings.ts"

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

/** Every issue as `path: message`, the way the config loader prints them. */
const issues = (error: Schema.SchemaError): ReadonlyArray<string> =>
  SchemaIssue.makeFormatterStandardSchemaV1()(error.issue).issues.map(
    (i) =>
      `${(i.path ?? []).map((p) => (typeof p === "object" && p !== null ? String(p.key) : String(p))).join(".")}: ${i.message}`
  )

const decodeFleet = (input: unknown) => Schema.decodeUnknownResult(LogSettings)(input, { errors: "all" })
const decodeAgent = (input: unknown) => Schema.decodeUnknownResult(AgentLogSettings)(input, { errors: "all" })
const fleetDefaults = Schema.decodeUnknownSync(LogSettings)({})

describe("LogSettings", () => {
  // max_line's default depends on max_size (resolveLogSettings), so the schema leaves it out.
  it("every key but max_line has a default", () => {
    expect(fleetDefaults).toEqual({
      max_size: 10 * MiB,
      keep: 5,
      max_total: GiB,
      keep_free: { _tag: "Percent", percent: 5 },
      min_keep: MiB,
      compress: true
    })
  })

  it("encodes back to what a person would write", () => {
    expect(Schema.encodeSync(LogSettings)(fleetDefaults)).toEqual({
      max_size: "10MiB",
      keep: 5,
      max_total: "1GiB",
      keep_free: "5%",
      min_keep: "1MiB",
      compress: true
    })
  })

  it.each<[object, Partial<LogSettings>]>([
    [{ max_size: "64KiB" }, { max_size: 64 * KiB }],
    [{ max_size: 1_048_576 }, { max_size: MiB }],
    [{ keep: 0 }, { keep: 0 }],
    [{ max_total: "2.5 GiB" }, { max_total: 2.5 * GiB }],
    [{ keep_free: "0%" }, { keep_free: { _tag: "Percent", percent: 0 } }],
    [{ keep_free: "12.5%" }, { keep_free: { _tag: "Percent", percent: 12.5 } }],
    [{ keep_free: "100%" }, { keep_free: { _tag: "Percent", percent: 100 } }],
    [{ keep_free: "20GiB" }, { keep_free: { _tag: "Bytes", bytes: 20 * GiB } }],
    [{ keep_free: 4096 }, { keep_free: { _tag: "Bytes", bytes: 4096 } }],
    [{ min_keep: 0 }, { min_keep: 0 }],
    [{ compress: false }, { compress: false }],
    [{ max_line: "256B" }, { max_line: 256 }],
    [
      { max_size: "4KiB", max_line: "4KiB" },
      { max_size: 4 * KiB, max_line: 4 * KiB }
    ]
  ])("%j decodes", (input, expected) => {
    const r = decodeFleet(input)
    expect(Result.isSuccess(r) && r.success).toEqual({ ...fleetDefaults, ...expected })
  })

  it.each<[object, string]>([
    [{ max_size: "10 parsecs" }, 'max_size: expected a size such as 10MiB or 1GiB, got "10 parsecs"'],
    [{ max_size: "4095B" }, "max_size: expected at least 4KiB, got 4095B"],
    [{ keep: -1 }, "keep: "],
    [{ keep: 1.5 }, "keep: "],
    [{ max_total: "lots" }, "max_total: expected a size"],
    [
      { keep_free: "101%" },
      'keep_free: expected a percentage from 0% to 100% such as 5%, or a size such as 10GiB, got "101%"'
    ],
    [{ keep_free: "-5%" }, "keep_free: expected a percentage"],
    [{ keep_free: "5 percent" }, "keep_free: expected a percentage"],
    [{ min_keep: -1 }, "min_keep: expected a size"],
    [{ compress: "yes" }, "compress: "],
    [{ max_line: "255B" }, "max_line: expected at least 256B, got 255B"],
    [
      { max_size: "4KiB", max_line: "64KiB" },
      "max_line: max_line (64KiB) is larger than max_size (4KiB): a line must fit in a file, so lower max_line or raise max_size"
    ]
  ])("%j is an error naming the field", (input, message) => {
    const r = decodeFleet(input)
    expect(Result.isFailure(r) && issues(r.failure).join("; ")).toContain(message)
  })

  it("every bad field at once", () => {
    const r = decodeFleet({ max_size: "x", keep: -1, keep_free: "200%" })
    expect(Result.isFailure(r) && issues(r.failure).map((i) => i.split(":")[0])).toEqual([
      "max_size",
      "keep",
      "keep_free"
    ])
  })

  it("keep_free encodes in the form it was written", () => {
    expect(Schema.encodeSync(KeepFree)({ _tag: "Percent", percent: 2.5 })).toBe("2.5%")
    expect(Schema.encodeSync(KeepFree)({ _tag: "Bytes", bytes: 20 * GiB })).toBe("20GiB")
  })
})

describe("AgentLogSettings", () => {
  it("nothing set is nothing overridden: no defaults of its own", () => {
    expect(Schema.decodeUnknownSync(AgentLogSettings)({})).toEqual({})
  })

  it("the per-agent keys decode, unknown keys are ignored as elsewhere in run:", () => {
    const r = decodeAgent({
      max_size: "1MiB",
      keep: 2,
      min_keep: "0B",
      compress: false,
      max_line: "1KiB",
      colour: "red"
    })
    expect(Result.isSuccess(r) && r.success).toEqual({
      max_size: MiB,
      keep: 2,
      min_keep: 0,
      compress: false,
      max_line: KiB
    })
  })

  it.each<[object, string]>([
    [{ max_total: "10GiB" }, "max_total: max_total is fleet-wide: set it under logs: in agentctl.yaml"],
    [{ keep_free: "5%" }, "keep_free: keep_free is fleet-wide: set it under logs: in agentctl.yaml"],
    [{ keep: -1 }, "keep: "],
    [{ max_size: "1KiB" }, "max_size: expected at least 4KiB, got 1KiB"],
    [{ max_size: "4KiB", max_line: "8KiB" }, "max_line: max_line (8KiB) is larger than max_size (4KiB)"]
  ])("%j is an error naming the field", (input, message) => {
    const r = decodeAgent(input)
    expect(Result.isFailure(r) && issues(r.failure).join("; ")).toContain(message)
  })
})

describe("resolveLogSettings", () => {
  const fleet = fleetDefaults
  const fromFleet: ResolvedLogSettings = {
    maxSize: 10 * MiB,
    keep: 5,
    minKeep: MiB,
    compress: true,
    maxLine: 64 * KiB
  }

  it.each<[string, AgentLogSettings, ResolvedLogSettings]>([
    ["nothing overridden: the fleet's", {}, fromFleet],
    [
      "every key overridden: the agent's",
      { max_size: 20 * MiB, keep: 0, min_keep: 0, compress: false, max_line: KiB },
      { maxSize: 20 * MiB, keep: 0, minKeep: 0, compress: false, maxLine: KiB }
    ],
    ["one key: that one, the rest the fleet's", { keep: 9 }, { ...fromFleet, keep: 9 }],
    ["a falsy override still wins", { compress: false, keep: 0 }, { ...fromFleet, compress: false, keep: 0 }],
    [
      "a max_size under the fleet's max_line cuts lines at the file size",
      { max_size: 16 * KiB },
      { ...fromFleet, maxSize: 16 * KiB, maxLine: 16 * KiB }
    ]
  ])("%s", (_, agent, expected) => {
    expect(resolveLogSettings(fleet, agent)).toEqual(expected)
  })

  it("a fleet that only lowers max_size is valid, and its lines are cut at that size", () => {
    const small = Schema.decodeUnknownSync(LogSettings)({ max_size: "8KiB" })
    expect(resolveLogSettings(small, {}).maxLine).toBe(8 * KiB)
  })

  it("the budget is the fleet's alone", () => {
    expect(fleetLogBudget(fleet)).toEqual({ maxTotal: GiB, keepFree: { _tag: "Percent", percent: 5 } })
  })
})
