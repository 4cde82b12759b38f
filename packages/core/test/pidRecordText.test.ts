import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import { PidRecordJson } from "../src/PidRecord.ts"
import { parsePidRecord } from "../src/pidRecordText.ts"

/*
 * The Effect-free parser (fast ls, the launcher lock) and the schema (everything else) must
 * accept exactly the same records; a disagreement would make the two ls paths differ.
 */
const decode = Schema.decodeUnknownResult(PidRecordJson)

const texts: ReadonlyArray<string> = [
  '{"pid":10,"startTime":100,"bootId":"b","startedAt":5}',
  '{"pid":10,"startTime":null,"bootId":"","startedAt":0}',
  '{"pid":10,"startTime":100.5,"bootId":"b","startedAt":5.25}',
  '{"pid":10,"startTime":100,"bootId":"b","startedAt":5,"extra":true}',
  '{"pid":10.5,"startTime":100,"bootId":"b","startedAt":5}',
  '{"pid":9007199254740993,"startTime":100,"bootId":"b","startedAt":5}',
  '{"pid":"10","startTime":100,"bootId":"b","startedAt":5}',
  '{"pid":10,"startTime":"100","bootId":"b","startedAt":5}',
  '{"pid":10,"bootId":"b","startedAt":5}',
  '{"pid":10,"startTime":100,"bootId":7,"startedAt":5}',
  '{"pid":10,"startTime":100,"bootId":"b","startedAt":null}',
  '{"pid":10,"startTime":1e999,"bootId":"b","startedAt":5}',
  '{"pid":-3,"startTime":100,"bootId":"b","startedAt":5}',
  "[10, 100]",
  "null",
  "10",
  '"text"',
  "",
  "{",
  '{"pid":10,"startTime":100,"bootId":"b","startedAt":5}\n',
  ...[
    '{"digest":"d","salt":"s","file":"/f/a.yaml","spec":{"command":"x","args":["a"],"cwd":"/f","env":{"A":{"source":"run.env","value":"1"},"API_KEY":{"source":"agent .env","sha256":"ab"}},"settings":{"restart":"always","health":{"liveness":null},"max_memory":null}}}',
    '{"digest":"d","salt":"s","file":"f","spec":{"command":"x","args":[],"cwd":"/","env":{"__proto__":{"source":"s","value":"v"}},"settings":{}}}',
    '{"digest":"d","salt":"s","file":"f","spec":{"command":"x","args":[],"cwd":"/","env":{"A":{"source":"s","value":"v","extra":1}},"settings":{},"extra":2},"extra":3}',
    '{"digest":"d","salt":"s","file":"f","spec":{"command":"x","args":[1],"cwd":"/","env":{},"settings":{}}}',
    '{"digest":"d","salt":"s","file":"f","spec":{"command":"x","args":[],"cwd":"/","env":{"A":{"value":"v"}},"settings":{}}}',
    '{"digest":"d","salt":"s","file":"f","spec":{"command":"x","args":[],"cwd":"/","env":{"A":{"source":"s","value":7}},"settings":{}}}',
    '{"digest":"d","salt":"s","file":"f","spec":{"command":"x","args":[],"cwd":"/","env":{},"settings":[]}}',
    '{"digest":"d","salt":"s","file":"f","spec":{"command":"x","args":[],"cwd":"/","env":[]}}',
    '{"digest":"d","salt":"s","file":"f"}',
    '{"digest":7,"salt":"s","file":"f","spec":{"command":"x","args":[],"cwd":"/","env":{},"settings":{}}}',
    "null",
    '"spawned"'
  ].map((spawned) => `{"pid":10,"startTime":100,"bootId":"b","startedAt":5,"spawned":${spawned}}`)
]

describe("parsePidRecord agrees with the PidRecord schema", () => {
  it.each(texts)("%j", (text) => {
    const schema = decode(text)
    expect(parsePidRecord(text)).toEqual(Result.isSuccess(schema) ? schema.success : null)
  })
})
