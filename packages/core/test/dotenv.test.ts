import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { configLimits } from "../src/configLimits.ts"
import { formatDotenv, isDotenvKey, maxErrors, parseDotenv } from "../src/dotenv.ts"

interface DotenvCase {
  readonly name: string
  readonly input: string
  /** [key, value, line] */
  readonly entries: ReadonlyArray<readonly [string, string, number]>
  /** [line, a fragment of the message] */
  readonly errors?: ReadonlyArray<readonly [number, string]>
}

const lines = (...ls: ReadonlyArray<string>) => ls.join("\n")

const cases: ReadonlyArray<DotenvCase> = [
  { name: "empty text", input: "", entries: [] },
  { name: "blank lines and comments", input: lines("", "   ", "# a comment", "  # indented", ""), entries: [] },
  { name: "a plain entry", input: "A=1", entries: [["A", "1", 1]] },
  {
    name: "line numbers count blank lines",
    input: lines("", "# c", "A=1", "", "B=2"),
    entries: [
      ["A", "1", 3],
      ["B", "2", 5]
    ]
  },
  {
    name: "export prefix",
    input: lines("export A=1", "export\tB=2"),
    entries: [
      ["A", "1", 1],
      ["B", "2", 2]
    ]
  },
  { name: "export as a key", input: "export=1", entries: [["export", "1", 1]] },
  {
    name: "empty value",
    input: lines("A=", "B=   ", "C= # only a comment"),
    entries: [
      ["A", "", 1],
      ["B", "", 2],
      ["C", "", 3]
    ]
  },
  { name: "unquoted value is trimmed", input: "  A =   some value  ", entries: [["A", "some value", 1]] },
  { name: "inline comment after whitespace", input: "A=value # comment", entries: [["A", "value", 1]] },
  { name: "inline comment after a tab", input: "A=value\t#comment", entries: [["A", "value", 1]] },
  {
    name: "# without whitespace is part of the value",
    input: "A=http://x/#frag",
    entries: [["A", "http://x/#frag", 1]]
  },
  { name: "# right after = is part of the value", input: "A=#not-a-comment", entries: [["A", "#not-a-comment", 1]] },
  { name: "= inside the value", input: "A=b=c==", entries: [["A", "b=c==", 1]] },
  { name: "no interpolation", input: "A=$HOME/${USER}", entries: [["A", "$HOME/${USER}", 1]] },
  { name: "quotes inside an unquoted value", input: `A=it's "fine"`, entries: [["A", `it's "fine"`, 1]] },
  { name: "key with dots and dashes", input: "a.b-c_D9=1", entries: [["a.b-c_D9", "1", 1]] },
  { name: "key starting with _", input: "_A=1", entries: [["_A", "1", 1]] },
  // \' does not escape: the quote closes there, and the rest is a comment
  { name: "single quotes are literal", input: String.raw`A='a\nb $X \' # c'`, entries: [["A", "a\\nb $X \\", 1]] },
  {
    name: "single quotes keep backslashes",
    input: String.raw`A='C:\new\tab'`,
    entries: [["A", String.raw`C:\new\tab`, 1]]
  },
  { name: "single quotes keep # and spaces", input: "A='  x # y  '  # c", entries: [["A", "  x # y  ", 1]] },
  {
    name: "double quotes decode escapes",
    input: String.raw`A="a\nb\rc\td\"e\\f\$g"`,
    entries: [["A", 'a\nb\rc\td"e\\f$g', 1]]
  },
  {
    name: "double quotes keep unknown escapes",
    input: String.raw`A="C:\Users\x"`,
    entries: [["A", String.raw`C:\Users\x`, 1]]
  },
  { name: "double quotes keep # and spaces", input: `A=" x # y " # c`, entries: [["A", " x # y ", 1]] },
  { name: "double quotes with single quote inside", input: `A="it's"`, entries: [["A", "it's", 1]] },
  {
    name: "quoted empty value",
    input: lines(`A=""`, "B=''", "C=``"),
    entries: [
      ["A", "", 1],
      ["B", "", 2],
      ["C", "", 3]
    ]
  },
  { name: "space before the opening quote", input: `A=  "x"`, entries: [["A", "x", 1]] },
  {
    name: "double quotes over several lines",
    input: lines(`A="line one`, "  line two  ", `line three"`, "B=2"),
    entries: [
      ["A", "line one\n  line two  \nline three", 1],
      ["B", "2", 4]
    ]
  },
  {
    name: "a multi-line value keeps trailing blanks of its first line",
    input: `A="x  \ny"`,
    entries: [["A", "x  \ny", 1]]
  },
  {
    name: "a multi-line value keeps inner lines that look like entries",
    input: lines(`A="`, "B=1", "# not a comment", `"`, "C=2"),
    entries: [
      ["A", "\nB=1\n# not a comment\n", 1],
      ["C", "2", 5]
    ]
  },
  { name: "backticks are literal", input: 'A=`say "hi" it\'s \\n`', entries: [["A", `say "hi" it's \\n`, 1]] },
  { name: "backticks over several lines", input: lines("A=`a", "b`"), entries: [["A", "a\nb", 1]] },
  { name: "single quotes over several lines", input: lines("A='a", "b'"), entries: [["A", "a\nb", 1]] },
  {
    name: "CRLF line endings",
    input: ["# c", "A=1", "B = two # c", `C="x`, `y"`, "D='z'", ""].join("\r\n"),
    entries: [
      ["A", "1", 2],
      ["B", "two", 3],
      ["C", "x\ny", 4],
      ["D", "z", 6]
    ]
  },
  { name: "a byte order mark", input: "\uFEFFA=1", entries: [["A", "1", 1]] },
  {
    name: "a later duplicate wins and takes the later place",
    input: lines("A=1", "B=2", "A=3"),
    entries: [
      ["B", "2", 2],
      ["A", "3", 3]
    ]
  },
  {
    name: "a line without =",
    input: lines("A=1", "JUSTAKEY", "B=2"),
    entries: [
      ["A", "1", 1],
      ["B", "2", 3]
    ],
    errors: [[2, `expected KEY=value, got "JUSTAKEY"`]]
  },
  { name: "export without =", input: "export A", entries: [], errors: [[1, "expected KEY=value"]] },
  {
    name: "invalid keys",
    input: lines("1A=x", "=x", "A B=x", "A$=x", "export =x", "OK=1"),
    entries: [["OK", "1", 6]],
    errors: [
      [1, `invalid key "1A"`],
      [2, `invalid key ""`],
      [3, `invalid key "A B"`],
      [4, `invalid key "A$"`],
      [5, `invalid key ""`]
    ]
  },
  {
    name: "an invalid key skips its whole multi-line value",
    input: lines(`1A="x`, "B=1", `"`, "C=2"),
    entries: [["C", "2", 4]],
    errors: [[1, `invalid key "1A"`]]
  },
  {
    name: "an unterminated double quote names the line it opened on",
    input: lines("A=1", `B="never closed`, "C=3", "D=4"),
    entries: [
      ["A", "1", 1],
      ["C", "3", 3],
      ["D", "4", 4]
    ],
    errors: [[2, `unterminated " quote in the value of B`]]
  },
  {
    name: "an escaped quote does not close",
    input: String.raw`A="x\"`,
    entries: [],
    errors: [[1, `unterminated " quote`]]
  },
  { name: "an unterminated single quote", input: "A='x", entries: [], errors: [[1, "unterminated ' quote"]] },
  {
    name: "an unterminated backtick",
    input: lines("A=1", "B=`x"),
    entries: [["A", "1", 1]],
    errors: [[2, "unterminated ` quote"]]
  },
  {
    name: "text after the closing quote names the closing line",
    input: lines(`A="x`, `y" z`, "B=1"),
    entries: [["B", "1", 3]],
    errors: [[2, `unexpected "z" after the closing " quote`]]
  }
]

describe("parseDotenv", () => {
  it.each(cases)("$name", ({ input, entries, errors = [] }) => {
    const result = parseDotenv(input)
    expect(result.entries.map((e) => [e.key, e.value, e.line])).toEqual(entries)
    expect(result.errors.map((e) => e.line)).toEqual(errors.map(([line]) => line))
    result.errors.forEach((e, i) => expect(e.message).toContain(errors[i]?.[1]))
  })
})

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `K${i}=v`).join("\n")

describe("parseDotenv: limits", () => {
  it("at most dotenvEntries entries: the next new key is an error on its line, and reading stops", () => {
    const limit = configLimits.dotenvEntries
    const result = parseDotenv(`${numbered(limit)}\nK0=again\nNEW=1\nMORE=2`)
    expect(result.entries).toHaveLength(limit)
    expect(result.entries.find((e) => e.key === "K0")?.value).toBe("again")
    expect(result.errors).toEqual([{ line: limit + 2, message: `more than ${limit} entries (limit ${limit})` }])
  })

  it("a file over the size limit is one error, on the line where it crosses the limit", () => {
    // 1 KiB a line: 1 024 lines fill the limit exactly, and the next one crosses it.
    const line = `A=${"x".repeat(1021)}\n`
    const result = parseDotenv(line.repeat(configLimits.fileBytes / line.length + 1))
    expect(result.entries).toEqual([])
    expect(result.errors).toEqual([{ line: 1025, message: "larger than 1 MiB (limit 1048576 bytes)" }])
  })

  it(`stops after ${maxErrors} errors: a binary file makes a short list`, () => {
    const result = parseDotenv("junk\n".repeat(maxErrors * 10))
    expect(result.errors).toHaveLength(maxErrors)
    expect(result.errors.at(-1)?.line).toBe(maxErrors)
  })

  it("quotes at most 40 characters of the line in a message", () => {
    const [error] = parseDotenv("x".repeat(5000)).errors
    expect(error?.message).toBe(`expected KEY=value, got "${"x".repeat(40)}…"`)
  })
})

describe("formatDotenv", () => {
  it.each<[string, ReadonlyArray<{ key: string; value: string }>, string]>([
    ["plain values bare", [{ key: "PORT", value: "8080" }], "PORT=8080\n"],
    ["an empty value bare", [{ key: "EMPTY", value: "" }], "EMPTY=\n"],
    ["a URL bare", [{ key: "URL", value: "http://x:1/a?b=c" }], "URL=http://x:1/a?b=c\n"],
    ["blanks quoted", [{ key: "A", value: "a b" }], 'A="a b"\n'],
    ["a # quoted", [{ key: "A", value: "x #y" }], 'A="x #y"\n'],
    ["escapes", [{ key: "A", value: 'a\\"\n\r$b' }], 'A="a\\\\\\"\\n\\r$b"\n'],
    [
      "a key a .env cannot hold",
      [{ key: "ProgramFiles(x86)", value: "C:\\" }],
      '# not representable in a .env: "ProgramFiles(x86)"\n'
    ]
  ])("%s", (_, entries, text) => {
    expect(formatDotenv(entries)).toBe(text)
  })
})

describe("dotenv: properties", () => {
  const seed = 1_717_000_004
  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/)
  const value = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.string({
      unit: fc.constantFrom("a", " ", "\t", "\n", "\r", '"', "'", "`", "\\", "#", "$", "=", "\uFEFF", "\uD800")
    })
  )
  const entries = fc.uniqueArray(fc.record({ key, value }), { selector: (e) => e.key, maxLength: 20 })

  it("parseDotenv(formatDotenv(entries)) gives the entries back, in order, without errors", () => {
    fc.assert(
      fc.property(entries, (list) => {
        const result = parseDotenv(formatDotenv(list))
        expect(result.errors).toEqual([])
        expect(result.entries.map((e) => ({ key: e.key, value: e.value }))).toEqual(list)
      }),
      { seed, numRuns: 2_000 }
    )
  })

  it("one line per entry, and keys a .env cannot hold are named in comments, never read as entries", () => {
    const anyKey = fc.oneof(key, fc.string({ maxLength: 12 }))
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ key: anyKey, value }), { selector: (e) => e.key, maxLength: 20 }),
        (list) => {
          const text = formatDotenv(list)
          expect(text.split("\n")).toHaveLength(list.length + 1)
          const result = parseDotenv(text)
          expect(result.errors).toEqual([])
          expect(result.entries.map((e) => e.key)).toEqual(list.filter((e) => isDotenvKey(e.key)).map((e) => e.key))
        }
      ),
      { seed, numRuns: 2_000 }
    )
  })
})
