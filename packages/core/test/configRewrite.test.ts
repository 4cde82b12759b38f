import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { setAgentEnabled } from "../src/configRewrite.ts"
import { bomb } from "./hostileYaml.ts"

interface RewriteCase {
  readonly name: string
  readonly input: string
  readonly enabled: boolean
  /** The exact text after the rewrite; absent when the text must come back unchanged. */
  readonly output?: string
}

const lines = (...ls: ReadonlyArray<string>) => ls.join("\n")
const crlf = (...ls: ReadonlyArray<string>) => ls.join("\r\n")

const rewrites: ReadonlyArray<RewriteCase> = [
  {
    name: "replaces true with false",
    input: lines("agent:", "  id: a", "  enabled: true", "run:", "  command: x", ""),
    enabled: false,
    output: lines("agent:", "  id: a", "  enabled: false", "run:", "  command: x", "")
  },
  {
    name: "replaces false with true",
    input: lines("agent:", "  enabled: false", "  id: a", ""),
    enabled: true,
    output: lines("agent:", "  enabled: true", "  id: a", "")
  },
  {
    name: "keeps a trailing comment",
    input: lines("agent:", "  id: a", "  enabled: true   # turned on by ops", ""),
    enabled: false,
    output: lines("agent:", "  id: a", "  enabled: false   # turned on by ops", "")
  },
  {
    name: "replaces a yes-style scalar whole",
    input: lines("agent:", "  id: a", "  enabled: yes", ""),
    enabled: false,
    output: lines("agent:", "  id: a", "  enabled: false", "")
  },
  {
    // In YAML 1.2 `yes` is the string "yes", which the config schema rejects: rewriting fixes the file.
    name: "rewrites yes when asked for true",
    input: lines("agent:", "  id: a", "  enabled: yes", ""),
    enabled: true,
    output: lines("agent:", "  id: a", "  enabled: true", "")
  },
  {
    name: "replaces a double-quoted string with its quotes",
    input: lines("agent:", "  id: a", '  enabled: "true"', ""),
    enabled: true,
    output: lines("agent:", "  id: a", "  enabled: true", "")
  },
  {
    name: "replaces a single-quoted string with its quotes",
    input: lines("agent:", "  id: a", "  enabled: 'no'", ""),
    enabled: false,
    output: lines("agent:", "  id: a", "  enabled: false", "")
  },
  {
    name: "replaces ~",
    input: lines("agent:", "  enabled: ~", ""),
    enabled: true,
    output: lines("agent:", "  enabled: true", "")
  },
  {
    name: "fills an empty value",
    input: lines("agent:", "  enabled:", "  id: a", ""),
    enabled: false,
    output: lines("agent:", "  enabled: false", "  id: a", "")
  },
  {
    name: "fills an empty value followed by blanks",
    input: lines("agent:", "  enabled:   ", "  id: a", ""),
    enabled: false,
    output: lines("agent:", "  enabled: false", "  id: a", "")
  },
  {
    // Written as `true# why`, the comment would become part of a string value.
    name: "fills an empty value followed by a comment, which stays a comment",
    input: lines("agent:", "  enabled: # why", "  id: a", ""),
    enabled: true,
    output: lines("agent:", "  enabled: true # why", "  id: a", "")
  },
  {
    name: "fills an empty value in a flow map followed by a comment",
    input: lines("agent: { id: a, enabled: } # why", ""),
    enabled: false,
    output: lines("agent: { id: a, enabled: false } # why", "")
  },
  {
    name: "replaces a block scalar and keeps the next key on its own line",
    input: lines("agent:", "  enabled: |", "    true", "  id: a", ""),
    enabled: false,
    output: lines("agent:", "  enabled: false", "  id: a", "")
  },
  {
    name: "replaces a multi-line double-quoted scalar",
    input: lines("agent:", '  enabled: "not', '    a bool"', "run: {}", ""),
    enabled: true,
    output: lines("agent:", "  enabled: true", "run: {}", "")
  },
  {
    name: "keeps tag and anchor in front of the value",
    input: lines("agent:", "  enabled: !!bool &on true", ""),
    enabled: false,
    output: lines("agent:", "  enabled: !!bool &on false", "")
  },
  {
    name: "finds quoted keys",
    input: lines('"agent":', "  'enabled': true", ""),
    enabled: false,
    output: lines('"agent":', "  'enabled': false", "")
  },
  {
    name: "touches no other enabled: a flow map value, a comment, run.enabled, a nested key",
    input: lines(
      "# enabled: false",
      "agent:",
      "  id: a # enabled: true",
      "  features: { enabled: true }",
      "  nested:",
      "    enabled: true",
      "  enabled: true",
      "run:",
      "  enabled: true",
      "  command: 'echo enabled: true'",
      ""
    ),
    enabled: false,
    output: lines(
      "# enabled: false",
      "agent:",
      "  id: a # enabled: true",
      "  features: { enabled: true }",
      "  nested:",
      "    enabled: true",
      "  enabled: false",
      "run:",
      "  enabled: true",
      "  command: 'echo enabled: true'",
      ""
    )
  },
  {
    name: "keeps CRLF line endings when replacing",
    input: crlf("agent:", "  id: a", '  enabled: "true"', "  name: b", ""),
    enabled: false,
    output: crlf("agent:", "  id: a", "  enabled: false", "  name: b", "")
  },
  {
    name: "fills an empty value in a CRLF file",
    input: crlf("agent:", "  enabled:", "  id: a", ""),
    enabled: true,
    output: crlf("agent:", "  enabled: true", "  id: a", "")
  },
  {
    name: "replaces inside a flow map",
    input: lines("agent: { id: a, enabled: true }", ""),
    enabled: false,
    output: lines("agent: { id: a, enabled: false }", "")
  },
  {
    name: "adds a line at the end of a block map",
    input: lines("# my agent", "agent:", "  id: a", "  name: A   # shown in ls", "", "run:", "  command: x", ""),
    enabled: false,
    output: lines(
      "# my agent",
      "agent:",
      "  id: a",
      "  name: A   # shown in ls",
      "  enabled: false",
      "",
      "run:",
      "  command: x",
      ""
    )
  },
  {
    name: "adds a line with the map's own indentation",
    input: lines("agent:", "    id: a", "run:", "    command: x", ""),
    enabled: true,
    output: lines("agent:", "    id: a", "    enabled: true", "run:", "    command: x", "")
  },
  {
    name: "adds after agent.features.enabled without touching it",
    input: lines("agent:", "  id: a", "  features:", "    enabled: true", "run:", "  enabled: true", ""),
    enabled: false,
    output: lines(
      "agent:",
      "  id: a",
      "  features:",
      "    enabled: true",
      "  enabled: false",
      "run:",
      "  enabled: true",
      ""
    )
  },
  {
    name: "adds after a nested list",
    input: lines("agent:", "  id: a", "  tags:", "    - x", "    - y", "# about run", "run: {}", ""),
    enabled: false,
    output: lines(
      "agent:",
      "  id: a",
      "  tags:",
      "    - x",
      "    - y",
      "  enabled: false",
      "# about run",
      "run: {}",
      ""
    )
  },
  {
    name: "adds after a block scalar",
    input: lines("agent:", "  id: a", "  description: |", "    line one", "    line two", "run: {}", ""),
    enabled: false,
    output: lines(
      "agent:",
      "  id: a",
      "  description: |",
      "    line one",
      "    line two",
      "  enabled: false",
      "run: {}",
      ""
    )
  },
  {
    name: "adds after a multi-line plain scalar",
    input: lines("agent:", "  description: one", "    two", "run: {}", ""),
    enabled: false,
    output: lines("agent:", "  description: one", "    two", "  enabled: false", "run: {}", "")
  },
  {
    name: "adds before comments that follow the map",
    input: lines("agent:", "  id: a", "  # more later", "# run section", "run: {}", ""),
    enabled: false,
    output: lines("agent:", "  id: a", "  enabled: false", "  # more later", "# run section", "run: {}", "")
  },
  {
    name: "adds after a comment line between agent: and its keys",
    input: lines("agent:", "  # who", "  id: a", ""),
    enabled: false,
    output: lines("agent:", "  # who", "  id: a", "  enabled: false", "")
  },
  {
    name: "adds to a file without a final newline",
    input: lines("agent:", "  id: a"),
    enabled: false,
    output: lines("agent:", "  id: a", "  enabled: false")
  },
  {
    name: "adds to a file without a final newline that ends in a comment",
    input: lines("agent:", "  id: a # last"),
    enabled: false,
    output: lines("agent:", "  id: a # last", "  enabled: false")
  },
  {
    name: "adds with CRLF in a CRLF file",
    input: crlf("agent:", "  id: a", "  description: |", "    d", "", "run: {}", ""),
    enabled: false,
    output: crlf("agent:", "  id: a", "  description: |", "    d", "  enabled: false", "", "run: {}", "")
  },
  {
    name: "adds to a tagged block map",
    input: lines("agent: !!map", "  id: a", ""),
    enabled: true,
    output: lines("agent: !!map", "  id: a", "  enabled: true", "")
  },
  {
    name: "adds inside document markers",
    input: lines("---", "agent:", "  id: a", "...", ""),
    enabled: false,
    output: lines("---", "agent:", "  id: a", "  enabled: false", "...", "")
  },
  {
    name: "adds to a flow map before its }",
    input: lines("agent: { id: a }", "run: { command: x }", ""),
    enabled: false,
    output: lines("agent: { id: a, enabled: false }", "run: { command: x }", "")
  },
  {
    name: "adds to a flow map with a trailing comma",
    input: lines("agent: { id: a, }", ""),
    enabled: false,
    output: lines("agent: { id: a, enabled: false, }", "")
  },
  {
    name: "adds to an empty flow map",
    input: lines("agent: {}", ""),
    enabled: false,
    output: lines("agent: { enabled: false }", "")
  },
  {
    name: "adds to a flow map over several lines, before a trailing comment",
    input: lines("agent: {", "  id: a, # the id", "  name: b # the name", "}", ""),
    enabled: true,
    output: lines("agent: {", "  id: a, # the id", "  name: b, enabled: true # the name", "}", "")
  },
  {
    name: "adds to a flow map inside a flow root",
    input: lines("{agent: {id: a}, run: {command: x}}", ""),
    enabled: false,
    output: lines("{agent: {id: a, enabled: false}, run: {command: x}}", "")
  },
  {
    name: "adds to a flow map with CRLF",
    input: crlf("agent: { id: a }", "run: {}", ""),
    enabled: false,
    output: crlf("agent: { id: a, enabled: false }", "run: {}", "")
  },
  { name: "leaves true alone", input: lines("agent:", "  enabled: true # yes", ""), enabled: true },
  { name: "leaves false alone", input: lines("agent:", "  enabled: false", ""), enabled: false },
  { name: "leaves a flow false alone", input: lines("agent: {enabled: false}", ""), enabled: false },
  { name: "leaves !!bool true alone", input: lines("agent:", "  enabled: !!bool true"), enabled: true },
  { name: "leaves CRLF alone", input: crlf("agent:", "  enabled: true", ""), enabled: true }
]

describe("setAgentEnabled", () => {
  it.each(rewrites)("$name", ({ input, enabled, output }) => {
    const result = setAgentEnabled(input, enabled)
    expect(result).toEqual({ _tag: "Ok", text: output ?? input, changed: output !== undefined })
    const text = result._tag === "Ok" ? result.text : ""
    expect(parse(text).agent.enabled).toBe(enabled)
  })

  const failures: ReadonlyArray<{ readonly name: string; readonly input: string; readonly message: RegExp }> = [
    {
      name: "YAML that does not parse names the line",
      input: lines("agent:", "  id: a", " name: [", ""),
      message: /^invalid YAML: .*at line 3, column 1$/
    },
    {
      name: "a duplicate key names the line",
      input: lines("agent:", "  id: a", "  id: b", ""),
      message: /^invalid YAML: duplicate key "id" at line 3 \(first at line 2\)$/
    },
    { name: "two documents", input: lines("agent: {}", "---", "agent: {}", ""), message: /^invalid YAML: .*line 2/ },
    {
      name: "an alias bomb is refused before anything expands",
      input: lines("agent: { id: a, enabled: true }", ...bomb(8, 5), ""),
      message: /^invalid YAML: aliases expand to more than 10000 YAML nodes \(limit 10000\) at line \d+$/
    },
    { name: "an empty file", input: "", message: /no `agent:` mapping/ },
    { name: "only a comment", input: "# nothing\n", message: /no `agent:` mapping/ },
    { name: "a root list", input: lines("- agent: {}", ""), message: /no `agent:` mapping/ },
    { name: "no agent key", input: lines("run:", "  enabled: true", ""), message: /no `agent:` mapping/ },
    { name: "agent is a scalar", input: lines("agent: a", ""), message: /no `agent:` mapping/ },
    { name: "agent is empty", input: lines("agent:", "run: {}", ""), message: /no `agent:` mapping/ },
    { name: "agent is a list", input: lines("agent:", "  - id: a", ""), message: /no `agent:` mapping/ },
    {
      name: "enabled is a mapping",
      input: lines("agent:", "  enabled: { on: true }", ""),
      message: /not true or false/
    },
    { name: "enabled is a list", input: lines("agent:", "  enabled:", "    - true", ""), message: /not true or false/ },
    {
      name: "enabled is an alias",
      input: lines("on: &on true", "agent:", "  enabled: *on", ""),
      message: /alias \(\*on\)/
    },
    { name: "enabled is tagged !!str", input: lines("agent:", "  enabled: !!str true", ""), message: /tag !!str/ },
    { name: "enabled is an explicit key without value", input: lines("agent:", "  ? enabled", ""), message: /no value/ }
  ]

  it.each(failures)("error: $name", ({ input, message }) => {
    const result = setAgentEnabled(input, false)
    expect(result._tag).toBe("Error")
    expect(result._tag === "Error" ? result.message : "").toMatch(message)
  })
})

/** A generated config, and where its `agent.enabled` value is. */
interface Built {
  readonly text: string
  readonly enabled:
    | { readonly _tag: "Absent" }
    /** `literal` spans [start, end). */
    | { readonly _tag: "Value"; readonly start: number; readonly end: number; readonly literal: string }
    /** `enabled:` with no value; [start, end) are the blanks after the colon. */
    | { readonly _tag: "Empty"; readonly start: number; readonly end: number }
}

const literals = ["true", "false", "True", "FALSE", "yes", "no", "on", '"true"', "'false'", "~", "null", "1", "0"]
const otherKeys = ["name: Agent", 'description: "a # in quotes"', "version: '1.0'", "tags: [x, y]"]

const built: fc.Arbitrary<Built> = fc
  .record({
    eol: fc.constantFrom("\n", "\r\n"),
    indent: fc.constantFrom("  ", "    "),
    flow: fc.boolean(),
    value: fc.option(fc.oneof(fc.constantFrom(...literals), fc.constantFrom("", " ", "   ")), { nil: undefined }),
    comment: fc.constantFrom("", "  # why", " # note: it is"),
    keys: fc.shuffledSubarray(otherKeys),
    at: fc.nat(),
    header: fc.subarray(["# fleet agent", "custom: { x: 1 }", "list:\n  - a\n  - b"]),
    footer: fc.subarray(["run:\n  command: x", "notes: |\n  line one\n  line two", "# the end"]),
    finalEol: fc.boolean()
  })
  .map(({ eol, indent, flow, value, comment, keys, at, header, footer, finalEol }) => {
    const items = ["id: a", ...keys]
    const slot = at % (items.length + 1)
    const fix = (s: string) => s.replaceAll("\n", eol)
    let text = header.map((h) => fix(h) + eol).join("")
    let enabled: Built["enabled"] = { _tag: "Absent" }
    // A value is one of the literals; "" and blanks make an empty `enabled:`.
    // Appends the entry after `lead`, noting where its value lands.
    const entry = (lead: string, prefix: string): void => {
      if (value === undefined) return
      const head = `${lead}${prefix}enabled:`
      const start = text.length + head.length
      if (value.trim() === "") enabled = { _tag: "Empty", start, end: start + value.length }
      else enabled = { _tag: "Value", start: start + 1, end: start + 1 + value.length, literal: value }
      text += value.trim() === "" ? head + value : `${head} ${value}`
    }
    if (flow) {
      text += "agent: { "
      items.forEach((item, i) => {
        if (i === slot && value !== undefined) {
          entry("", "")
          text += ", "
        }
        text += item + (i < items.length - 1 ? ", " : "")
      })
      if (slot === items.length) entry(", ", "")
      text += ` }${comment}`
    } else {
      text += `agent:${comment}`
      items.forEach((item, i) => {
        if (i === slot && value !== undefined) {
          entry(eol, indent)
          text += comment
        }
        text += eol + indent + item
      })
      if (slot === items.length && value !== undefined) {
        entry(eol, indent)
        text += comment
      }
    }
    text += footer.map((f) => eol + fix(f)).join("") + (finalEol ? eol : "")
    return { text, enabled }
  })

/** The text with `inserted` put in at one place, or false. */
const isInsertion = (before: string, after: string, inserted: RegExp): boolean => {
  const grown = after.length - before.length
  if (grown <= 0) return false
  for (let i = 0; i <= before.length; i++) {
    if (after.slice(0, i) !== before.slice(0, i)) break
    if (after.slice(i + grown) === before.slice(i) && inserted.test(after.slice(i, i + grown))) return true
  }
  return false
}

const withoutEnabled = (text: string): unknown => {
  const value = parse(text) as { agent: Record<string, unknown> }
  const { enabled: _, ...agent } = value.agent
  return { ...value, agent }
}

describe("setAgentEnabled: properties", () => {
  const seed = 1_717_000_003
  const numRuns = 1_000

  it("reads back as asked, every other byte unchanged, whatever the layout", () => {
    fc.assert(
      fc.property(built, fc.boolean(), ({ text, enabled }, v) => {
        const result = setAgentEnabled(text, v)
        if (result._tag !== "Ok") throw new Error(`refused: ${result.message}`)
        const after = result.text
        expect((parse(after) as { agent: { enabled: unknown } }).agent.enabled).toBe(v)
        expect(withoutEnabled(after)).toEqual(withoutEnabled(text))
        const literal = String(v)
        switch (enabled._tag) {
          case "Value": {
            const current: unknown = parse(`x: ${enabled.literal}`).x
            const expected = current === v ? text : text.slice(0, enabled.start) + literal + text.slice(enabled.end)
            expect(after).toBe(expected)
            expect(result.changed).toBe(current !== v)
            break
          }
          case "Empty": {
            // The blanks after the colon, a comment's included, are where the value goes.
            let end = enabled.end
            while (text[end] === " ") end++
            expect(after.slice(0, enabled.start)).toBe(text.slice(0, enabled.start))
            const rest = text.slice(end)
            expect(after.endsWith(rest)).toBe(true)
            expect(after.slice(enabled.start, after.length - rest.length)).toMatch(new RegExp(`^ ${literal} ?$`))
            break
          }
          case "Absent": {
            const inserted = new RegExp(
              `^(, enabled: ${literal}| enabled: ${literal} ?|[ \\t]*enabled: ${literal}\\r?\\n|\\r?\\n[ \\t]*enabled: ${literal})$`
            )
            expect(isInsertion(text, after, inserted)).toBe(true)
          }
        }
      }),
      { seed, numRuns }
    )
  })
})
