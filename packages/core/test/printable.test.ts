import { assert, describe, it } from "@effect/vitest"
import { printable, quoted } from "../src/printable.ts"

describe("printable", () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["plain text is kept", "agents/a1/config.yaml", "agents/a1/config.yaml"],
    ["unicode letters and emoji are kept", "café 🚀 データ", "café 🚀 データ"],
    ["backslashes are kept", "a\\x01b", "a\\x01b"],
    ["newlines and tabs", "a\nb\r\tc", "a\\nb\\r\\tc"],
    ["an escape sequence", "\x1b[31mred", "\\x1b[31mred"],
    ["NUL and DEL", "\0x\x7f", "\\x00x\\x7f"],
    ["C1 controls", "\x85\x9b", "\\x85\\x9b"],
    ["a bidi override", "abc\u202edef", "abc\\u{202e}def"],
    ["a zero-width space", "a\u200bb", "a\\u{200b}b"],
    ["line and paragraph separators", "a\u2028b\u2029", "a\\u{2028}b\\u{2029}"],
    ["a lone surrogate", "a\ud800b", "a\\u{d800}b"]
  ]
  for (const [name, input, output] of cases) {
    it(name, () => assert.strictEqual(printable(input), output))
  }

  it("is idempotent: what it returns has nothing left to escape", () => {
    for (const [, input] of cases) assert.strictEqual(printable(printable(input)), printable(input))
  })

  it("quoted wraps the printable text in double quotes", () => {
    assert.strictEqual(quoted("a\nb"), '"a\\nb"')
  })
})
