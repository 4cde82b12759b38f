import { assert, describe, it } from "@effect/vitest"
import { httpDate } from "../src/HttpDate.ts"

describe("httpDate", () => {
  // node:http's own Date header is toUTCString; ours must be the same text for every instant.
  const instants: ReadonlyArray<[string, number]> = [
    ["the epoch", 0],
    ["a leap day", Date.UTC(2024, 1, 29, 23, 59, 59)],
    ["single-digit fields", Date.UTC(2026, 0, 2, 3, 4, 5)],
    ["the last second of a year", Date.UTC(1999, 11, 31, 23, 59, 59, 999)],
    ["before the epoch", Date.UTC(1969, 6, 20, 20, 17, 40)],
    ["a year before 1000", Date.UTC(999, 5, 15, 12, 0, 0)],
    ["milliseconds are dropped", Date.UTC(2026, 11, 2, 12, 4, 17, 600)]
  ]
  for (const [name, ms] of instants) {
    it(`${name}: the same text as toUTCString`, () => {
      assert.strictEqual(httpDate(ms), new Date(ms).toUTCString())
    })
  }

  it("every day of a year and every hour of a day agree with toUTCString", () => {
    const start = Date.UTC(2027, 0, 1)
    for (let i = 0; i < 366 * 24; i++) {
      const ms = start + i * 3_600_000 + (i % 60) * 61_000
      assert.strictEqual(httpDate(ms), new Date(ms).toUTCString())
    }
  })
})
