import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { documentValue, readYamlDocument } from "../src/boundedYaml.ts"
import { configLimits, formatBytes, lineAt, overflowOffset } from "../src/configLimits.ts"
import { bomb, deepBlock, deepCompact, deepFlow, manyKeys } from "./hostileYaml.ts"

const { yamlNodes, yamlTokens, yamlAliases, nestingDepth, fileBytes } = configLimits

const problem = (text: string): string => {
  const read = readYamlDocument(text)
  return Result.isFailure(read) ? read.failure.message : "(no problem)"
}

const value = (text: string): unknown => {
  const read = readYamlDocument(text)
  if (Result.isFailure(read)) throw new Error(read.failure.message)
  return Result.getOrThrow(documentValue(read.success))
}

const list = (n: number, item: (i: number) => string) => `[${Array.from({ length: n }, (_, i) => item(i)).join(", ")}]`

describe("readYamlDocument: limits", () => {
  it.each<[string, string, string]>([
    ["a 5 × 5 alias tree", `a: 1\n${bomb(5, 5).join("\n")}\n`, `aliases expand to more than ${yamlNodes} YAML nodes`],
    ["the 8 × 5 tree of the acceptance check", `${bomb(8, 5).join("\n")}\n`, "aliases expand to more than"],
    ["a binary tree 30 deep", `${bomb(2, 30).join("\n")}\n`, "aliases expand to more than"],
    [
      "more aliases than the limit",
      `a: &a 1\nb: ${list(yamlAliases + 1, () => "*a")}\n`,
      `more than ${yamlAliases} YAML aliases`
    ],
    [
      "aliases of one long string",
      `s: &s ${"x".repeat(60_000)}\nt: ${list(30, () => "*s")}\n`,
      `aliases expand to more than ${fileBytes} characters of text`
    ],
    ["more nodes than the limit", manyKeys("env", yamlNodes), `more than ${yamlNodes} YAML nodes`],
    [
      "more tokens than the limit, in blank lines",
      `a: 1${"\n".repeat(yamlTokens + 1)}`,
      `more than ${yamlTokens} YAML tokens`
    ],
    ["stray commas", `a: [${",".repeat(yamlTokens + 1)}]\n`, `more than ${yamlTokens} YAML tokens`],
    ["flow nesting", `a: ${deepFlow(nestingDepth + 1)}\n`, `nested deeper than ${nestingDepth} levels`],
    ["flow nesting 200 000 deep", `a: ${deepFlow(200_000)}\n`, `nested deeper than ${nestingDepth} levels`],
    ["block nesting", deepBlock(nestingDepth + 1), `nested deeper than ${nestingDepth} levels`],
    ["compact lists", deepCompact(nestingDepth + 1), `nested deeper than ${nestingDepth} levels`],
    ["compact lists 300 000 deep", deepCompact(300_000), `nested deeper than ${nestingDepth} levels`],
    [
      "an alias that nests a deep list deeper",
      `a: &a ${deepFlow(nestingDepth - 2)}\nb: { c: { d: *a } }\n`,
      `nested deeper than ${nestingDepth} levels`
    ],
    [
      "a file over the size limit",
      `a: ${"x".repeat(fileBytes)}\n`,
      `larger than ${formatBytes(fileBytes)} (limit ${fileBytes} bytes)`
    ],
    ["a file over the size limit only in UTF-8 bytes", `a: ${"é".repeat(fileBytes / 2)}\n`, "larger than 1 MiB"]
  ])("%s", (_, text, message) => {
    expect(problem(text)).toContain(message)
  })

  it("names the line where a limit is crossed", () => {
    expect(problem(`a: 1\nb: 2\nc: ${deepFlow(nestingDepth + 1)}\n`)).toBe(
      `nested deeper than ${nestingDepth} levels (limit ${nestingDepth}) at line 3`
    )
  })

  it.each<[string, string]>([
    ["flow nesting", `a: ${deepFlow(nestingDepth - 1)}\n`],
    ["block nesting", deepBlock(nestingDepth - 1)],
    ["compact lists", deepCompact(nestingDepth)],
    ["aliases", `a: &a 1\nb: ${list(yamlAliases, () => "*a")}\n`],
    // The root map, `env`, its map and two nodes a key: 9 999.
    ["nodes", manyKeys("env", yamlNodes / 2 - 2)],
    ["a long string", `a: ${"x".repeat(fileBytes - 10)}\n`],
    ["a block scalar of many lines", `a: |\n${"  line\n".repeat(yamlTokens * 2)}`.slice(0, fileBytes)]
  ])("just under the limit on %s: read", (_, text) => {
    expect(problem(text)).toBe("(no problem)")
  })
})

describe("readYamlDocument: what the library would throw or accept", () => {
  it.each<[string, string, string]>([
    ["an alias before its anchor", "a: *x\nb: &x 1\n", "alias *x at line 1 has no anchor &x before it"],
    ["an alias inside the node it names", "a: &r [1, *r]\n", "alias *r at line 1 is inside the node it names"],
    ["a duplicate key", "a: 1\nb: 2\na: 3\n", 'duplicate key "a" at line 3 (first at line 1)'],
    ["a duplicate key by value", "1: a\n0x1: b\n", 'duplicate key "1" at line 2 (first at line 1)'],
    ["a duplicate key in a nested flow map", "a: { b: 1, b: 2 }\n", 'duplicate key "b" at line 1 (first at line 1)'],
    ["two documents", "a: 1\n---\nb: 2\n", "a second YAML document starts at line 2; a config file holds one"],
    ["tabs as indentation", "a:\n\tb: 1\n", "Tabs are not allowed as indentation at line 2, column 1"],
    ["a syntax error", "a: [1, 2\n", "at line"]
  ])("%s", (_, text, message) => {
    expect(problem(text)).toContain(message)
  })

  it("finds duplicate keys among 4 000 in one pass (the library's own check is quadratic)", () => {
    expect(problem(`${manyKeys("env", 4_000)}  K17: again\n`)).toMatch(
      /^duplicate key "K17" at line 4002 \(first at line 19\)$/
    )
  })

  it("keeps the document of a text that parsed, so a caller can still name the agent", () => {
    const read = readYamlDocument(`agent: { id: a }\n${bomb(8, 5).join("\n")}\n`)
    expect(Result.isFailure(read) && read.failure.document?.getIn(["agent", "id"])).toBe("a")
  })

  it("shares what aliases name rather than copying it", () => {
    const v = value("a: &a { x: 1 }\nb: *a\n")
    expect(v).toEqual({ a: { x: 1 }, b: { x: 1 } })
    const { a, b } = v as { a: unknown; b: unknown }
    expect(a).toBe(b)
  })

  it("reads a BOM, anchors redefined later, and keys that are aliases", () => {
    expect(value("\uFEFFa: &x 1\nb: &x 2\nc: *x\n")).toEqual({ a: 1, b: 2, c: 2 })
    expect(value("k: &k key\n*k : v\n")).toEqual({ k: "key", key: "v" })
  })
})

describe("configLimits helpers", () => {
  it.each<[string, number, number | undefined]>([
    ["abc", 3, undefined],
    ["abcd", 3, 3],
    ["éé", 3, 1],
    ["éé", 4, undefined],
    ["😀", 3, 0],
    ["😀", 4, undefined],
    ["\uD800", 2, 0]
  ])("overflowOffset(%j, %i) = %j", (text, limit, offset) => {
    expect(overflowOffset(text, limit)).toBe(offset)
  })

  it.each<[string, number, number]>([
    ["", 0, 1],
    ["a\nb\nc", 0, 1],
    ["a\nb\nc", 2, 2],
    ["a\nb\nc", 4, 3],
    ["a\nb\nc", 99, 3]
  ])("lineAt(%j, %i) = %i", (text, offset, line) => {
    expect(lineAt(text, offset)).toBe(line)
  })

  it.each<[number, string]>([
    [1_048_576, "1 MiB"],
    [65_536, "64 KiB"],
    [100, "100 bytes"]
  ])("formatBytes(%i) = %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})
