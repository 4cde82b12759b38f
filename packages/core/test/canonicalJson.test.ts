import { describe, expect, it } from "vitest"
import { canonicalJson } from "../src/canonicalJson.ts"

describe("canonicalJson", () => {
  it.each([
    { name: "a string", value: "ab", json: '"ab"' },
    { name: "a number", value: 5, json: "5" },
    { name: "null", value: null, json: "null" },
    { name: "keys sorted", value: { c: 1, a: 2, b: 3 }, json: '{"a":2,"b":3,"c":1}' },
    { name: "already sorted", value: { a: 1, b: 2, c: 3 }, json: '{"a":1,"b":2,"c":3}' },
    { name: "two keys the wrong way", value: { b: 1, a: 2 }, json: '{"a":2,"b":1}' },
    { name: "nested objects", value: { z: { y: 1, x: 2 }, a: null }, json: '{"a":null,"z":{"x":2,"y":1}}' },
    { name: "arrays keep their order", value: ["b", "a"], json: '["b","a"]' },
    { name: "objects inside arrays", value: [{ b: 1, a: 2 }, "s"], json: '[{"a":2,"b":1},"s"]' },
    {
      name: "code units, not locale: upper case before lower case, _ between",
      value: { b: 1, B: 2, _: 3, a: 4, A: 5 },
      json: '{"A":5,"B":2,"_":3,"a":4,"b":1}'
    },
    {
      name: "__proto__ stays a key",
      value: JSON.parse('{"b":1,"__proto__":2}') as unknown,
      json: '{"__proto__":2,"b":1}'
    }
  ])("$name", ({ value, json }) => {
    expect(canonicalJson(value)).toBe(json)
  })

  it("the same config written in two key orders has one text", () => {
    const a = { run: { env: { B: "1", A: "2" }, args: ["x", "y"] }, agent: { id: "a" } }
    const b = { agent: { id: "a" }, run: { args: ["x", "y"], env: { A: "2", B: "1" } } }
    expect(canonicalJson(a)).toBe(canonicalJson(b))
    expect(canonicalJson({ run: { args: ["y", "x"] } })).not.toBe(canonicalJson({ run: { args: ["x", "y"] } }))
  })
})
