import * as Result from "effect/Result"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseDocument } from "yaml"
import { parseAgentConfig, parseFleetSettings } from "../src/ConfigFile.ts"
import { configLimits } from "../src/configLimits.ts"
import { setAgentEnabled } from "../src/configRewrite.ts"
import { maxErrors, parseDotenv } from "../src/dotenv.ts"
import { bomb, deepBlock, deepCompact, deepFlow, manyKeys } from "./hostileYaml.ts"

/*
 * Mutated configs against the loader: every text, however broken or hostile, must end as a valid
 * entry or an invalid one naming its file, and nothing may throw. Work is bounded without clocks:
 * what comes out (error messages, decoded configs) stays small whatever the text expands to, and
 * every generated case runs. The seed is fixed, so a failure replays exactly.
 */

const seed = 20_240_610
const numRuns = 250

const file = "/fleet/agents/fuzz/config.yaml"
const settingsFile = "/fleet/agentctl.yaml"

const templates: ReadonlyArray<string> = [
  "agent:\n  id: fuzz\n  name: Fuzz\n  enabled: true\nrun:\n  command: sleep\n  args: [600]\n  env: { A: '1' }\n  stop_timeout: 5s\n",
  "agent: { id: fuzz, enabled: false }\nrun: { command: node, args: [a.js, --port, 8080], restart: always }\n",
  '# comment\nagent:\n  id: fuzz\nrun:\n  command: x\n  env:\n    PORT: 8080\n    NAME: "x y"\ncustom:\n  - a\n  - b: [1, 2]\n',
  "agents: agents/*/config.yaml\nenv_file: .env\nbuild: [bash, build.sh]\nrestart: { initial_delay: 1s, multiplier: 2 }\napi: { port: 7717 }\n"
]

/** One change to a text, as data so a failing case prints as something a person can read. */
type Mutation =
  | { readonly kind: "replace"; readonly at: number; readonly value: string }
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "append"; readonly text: string }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "tabs" }
  | { readonly kind: "bom" }
  | { readonly kind: "binary"; readonly bytes: ReadonlyArray<number> }
  | { readonly kind: "duplicate"; readonly line: number }

/** Where a mutation lands: a fraction of the text's length, so it fits any text. */
const position = fc.double({ min: 0, max: 1, noNaN: true })

const wrongValues = fc.constantFrom(
  "[1, 2]",
  "{ a: 1 }",
  "~",
  "true",
  "-1",
  "''",
  "!!binary AAAA",
  "!!float .nan",
  "!custom x",
  "1e309",
  "-1e309",
  "99999999999999999999999999999",
  "0x7fffffffffffffff",
  ".inf",
  "-.inf",
  "1e-400",
  '"a\\0b"',
  "2001-12-14t21:59:43.10-05:00",
  "&anchor value",
  "*missing",
  "|\n  block\n",
  '"unterminated',
  "[unclosed",
  "{ a: 1, a: 2 }"
)

const hostile = fc.oneof(
  fc
    .record({ width: fc.integer({ min: 2, max: 10 }), depth: fc.integer({ min: 1, max: 8 }) })
    .map(({ width, depth }) => bomb(width, depth).join("\n")),
  fc.constantFrom(1, 10, 63, 64, 65, 100, 5_000, 200_000).map((n) => `deep: ${deepFlow(n)}`),
  fc.constantFrom(10, 64, 65, 300, 1_400).map(deepBlock),
  fc.constantFrom(10, 64, 65, 300, 100_000).map((n) => `deep:\n${deepCompact(n)}`),
  fc.constantFrom(10, 3_000, 5_001, 12_000).map((n) => manyKeys("many", n)),
  fc.constantFrom(100, 1_025, 6_000).map((n) => `args: [${Array.from({ length: n }, (_, i) => `a${i}`).join(", ")}]`),
  fc.constantFrom(1_000, 600_000, 1_100_000).map((n) => `long: ${"a".repeat(n)}`),
  // 2 bytes each in UTF-8: under the limit in characters, over it in bytes.
  fc.constantFrom(400_000, 600_000).map((n) => `wide: ${"é".repeat(n)}`),
  fc.constantFrom(2, 50, 20_000).map((n) => "---\nx: 1\n".repeat(n)),
  fc.constantFrom(1_000, 150_000).map((n) => "\n".repeat(n)),
  fc.constantFrom(1_000, 150_000).map((n) => `c: [${",".repeat(n)}]`),
  fc.constant("r: &r [*r]"),
  fc.constant("? *undefined\n: 1"),
  fc.constant(`strings: &s ${"x".repeat(60_000)}\nmore: [${Array.from({ length: 30 }, () => "*s").join(", ")}]`)
)

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("replace" as const), at: position, value: wrongValues }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: position,
    text: fc.oneof(
      fc.constantFrom(
        ":",
        "- ",
        "{",
        "}",
        "[",
        "]",
        "&a ",
        "*a",
        "!",
        "|",
        ">",
        "'",
        '"',
        "%",
        "@",
        "`",
        "\t",
        "\0",
        "\r",
        "\uFEFF",
        "\uD800",
        "\n  "
      ),
      fc.string({ maxLength: 8 })
    )
  }),
  fc.record({ kind: fc.constant("append" as const), text: hostile }),
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  fc.constant({ kind: "tabs" as const }),
  fc.constant({ kind: "bom" as const }),
  fc.record({
    kind: fc.constant("binary" as const),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 })
  }),
  fc.record({ kind: fc.constant("duplicate" as const), line: fc.nat(20) })
)

const offset = (text: string, at: number) => Math.floor(at * text.length)

/** A value position: after a `: ` on some line, so a replacement changes one value's type. */
const replaceValue = (text: string, at: number, value: string) => {
  const lines = text.split("\n")
  const index = Math.floor(at * lines.length) % Math.max(1, lines.length)
  const line = lines[index] ?? ""
  const colon = line.indexOf(": ")
  lines[index] = colon === -1 ? `${line}${value}` : `${line.slice(0, colon + 2)}${value}`
  return lines.join("\n")
}

const apply = (text: string, m: Mutation): string => {
  switch (m.kind) {
    case "replace":
      return replaceValue(text, m.at, m.value)
    case "insert":
      return text.slice(0, offset(text, m.at)) + m.text + text.slice(offset(text, m.at))
    case "append":
      return `${text}${text.endsWith("\n") ? "" : "\n"}${m.text}\n`
    case "truncate":
      return text.slice(0, offset(text, m.at))
    case "tabs":
      return text.replace(/^ {2}/gm, "\t")
    case "bom":
      return `\uFEFF${text}`
    case "binary":
      return text + String.fromCharCode(...m.bytes)
    case "duplicate": {
      const lines = text.split("\n")
      const line = lines[m.line % Math.max(1, lines.length)] ?? ""
      return `${text}\n${line}\n`
    }
  }
}

const mutated = fc
  .tuple(fc.constantFrom(...templates), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([template, mutations]) => mutations.reduce(apply, template))

// What any config can decode to is bounded by the limits, not by what the text's aliases expand to:
// every scalar's text at most once per expansion, JSON-escaped (at most 6 characters per one).
const maxDecodedJson = 6 * configLimits.fileBytes + 16 * configLimits.yamlNodes
const maxErrorLength = 2_000

describe("config fuzzing", () => {
  it("parseAgentConfig: a valid entry, or an invalid one naming the file; never a throw", () => {
    const outcomes = { valid: 0, overLimit: 0, otherwise: 0 }
    fc.assert(
      fc.property(mutated, (text) => {
        const entry = parseAgentConfig(file, "/fleet/agents/fuzz", text)
        if (entry._tag === "Invalid") {
          expect(entry.file).toBe(file)
          expect(entry.error.startsWith(`${file}: `)).toBe(true)
          expect(entry.error.length).toBeLessThan(maxErrorLength)
          outcomes[entry.error.includes("(limit ") ? "overLimit" : "otherwise"]++
        } else {
          expect(JSON.stringify(entry.spec.config).length).toBeLessThan(maxDecodedJson)
          outcomes.valid++
        }
      }),
      { seed, numRuns }
    )
    // Every case ran, and the generator reached each kind of outcome (else it tests less than it says).
    expect(outcomes.valid + outcomes.overLimit + outcomes.otherwise).toBe(numRuns)
    expect(outcomes.valid).toBeGreaterThan(0)
    expect(outcomes.overLimit).toBeGreaterThan(0)
    expect(outcomes.otherwise).toBeGreaterThan(0)
  })

  it("parseFleetSettings: settings, or an error naming the file; never a throw", () => {
    let cases = 0
    fc.assert(
      fc.property(mutated, (text) => {
        cases++
        const settings = parseFleetSettings(settingsFile, text)
        if (Result.isFailure(settings)) {
          expect(settings.failure.startsWith(`${settingsFile}: `)).toBe(true)
          expect(settings.failure.length).toBeLessThan(maxErrorLength)
        } else {
          expect(JSON.stringify(settings.success).length).toBeLessThan(maxDecodedJson)
        }
      }),
      { seed, numRuns }
    )
    expect(cases).toBe(numRuns)
  })

  it("setAgentEnabled: an edit that reads back as asked, or an error; never a throw", () => {
    let cases = 0
    fc.assert(
      fc.property(mutated, fc.boolean(), (text, enabled) => {
        cases++
        const result = setAgentEnabled(text, enabled)
        if (result._tag === "Error") {
          expect(result.message.length).toBeLessThan(maxErrorLength)
        } else if (result.changed) {
          expect(parseDocument(result.text).getIn(["agent", "enabled"])).toBe(enabled)
        } else {
          expect(result.text).toBe(text)
        }
      }),
      { seed, numRuns }
    )
    expect(cases).toBe(numRuns)
  })

  const dotenvTemplates = ["A=1\nB='two'\nexport C=\"x\\ny\"\n# c\nD=`multi\nline`\n", "URL=http://x/#a\nEMPTY=\n"]
  const dotenvHostile = fc.oneof(
    fc.constant("x".repeat(5_000)),
    fc.constantFrom(10, 5_000).map((n) => Array.from({ length: n }, (_, i) => `K${i}=v`).join("\n")),
    fc.constantFrom(10, 200_000).map((n) => 'A="\n'.repeat(n)),
    fc.constantFrom(10, 300_000).map((n) => "junk line\n".repeat(n)),
    fc.constantFrom(100, 1_100_000).map((n) => `BIG=${"x".repeat(n)}`)
  )
  const dotenvText = fc
    .tuple(
      fc.constantFrom(...dotenvTemplates),
      fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant("append" as const), text: dotenvHostile }),
          mutation.filter((m) => m.kind !== "append")
        ),
        { minLength: 1, maxLength: 3 }
      )
    )
    .map(([template, mutations]) => mutations.reduce(apply, template))

  it("parseDotenv: entries and errors within the limits, each error on a line of the file; never a throw", () => {
    let cases = 0
    fc.assert(
      fc.property(dotenvText, (text) => {
        cases++
        const result = parseDotenv(text)
        const lines = text.split("\n").length
        expect(result.entries.length).toBeLessThanOrEqual(configLimits.dotenvEntries)
        expect(result.errors.length).toBeLessThanOrEqual(maxErrors)
        for (const error of result.errors) {
          expect(error.line).toBeGreaterThanOrEqual(1)
          expect(error.line).toBeLessThanOrEqual(lines)
          expect(error.message.length).toBeLessThan(maxErrorLength)
        }
      }),
      { seed, numRuns }
    )
    expect(cases).toBe(numRuns)
  })
})
