import { assert, describe, it } from "@effect/vitest"
import { tokenMatches } from "../src/ApiToken.ts"

describe("tokenMatches", () => {
  it.each<[string, string, boolean]>([
    ["abc", "abc", true],
    ["abc", "abd", false],
    ["abc", "xbc", false],
    ["abc", "ab", false],
    ["abc", "abcd", false],
    ["abc", "", false],
    ["abc", "ab\u0000", false],
    ["", "", true],
    // Same length, differing only where a char code's low bits agree: every bit is compared.
    ["a", "q", false],
    ["a", "\u0161", false]
  ])("%j against %j: %s", (expected, given, ok) => {
    assert.strictEqual(tokenMatches(expected, given), ok)
  })
})
