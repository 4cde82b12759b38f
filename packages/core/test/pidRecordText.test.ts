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
  '{"pid":10,"startTime":100,"bootId":"b","startedAt":5}\n'
]

describe("parsePidRecord agrees with the PidRecord schema", () => {
  it.each(texts)("%j", (text) => {
    const schema = decode(text)
    expect(parsePidRecord(text)).toEqual(Result.isSuccess(schema) ? schema.success : null)
  })
})
