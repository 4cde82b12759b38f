import { assert, describe, it } from "@effect/vitest"
import { getOrCreate } from "../src/getOrCreate.ts"

describe("getOrCreate", () => {
  it("creates a missing value once, keeps it, and returns a present one without creating", () => {
    const map = new Map<string, Array<number>>([["a", [1]]])
    let made = 0
    const create = () => (made++, [made])
    assert.strictEqual(getOrCreate(map, "a", create), map.get("a"))
    const b = getOrCreate(map, "b", create)
    assert.strictEqual(getOrCreate(map, "b", create), b)
    assert.deepStrictEqual([made, [...map.keys()], b], [1, ["a", "b"], [1]])
  })
})
