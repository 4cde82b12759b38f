import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import { ExitInfo, Status, StatusName } from "../src/Status.ts"
import { statusName } from "../src/statusText.ts"

/*
 * `detail` in `ls --json`, `/agents` and every event is a Status; `status` is its StatusName.
 * A client decodes them with these schemas, so a renamed field or state would break every client.
 */

const exit: ExitInfo = { code: 1, signal: null, at: 1000 }

/** One of each state, with every field, and the JSON keys a client reads. */
const examples: ReadonlyArray<readonly [Status, ReadonlyArray<string>]> = [
  [{ _tag: "Running", pid: 42, instances: 1, startedAt: 5 }, ["_tag", "instances", "pid", "startedAt"]],
  [{ _tag: "Starting", pid: null }, ["_tag", "pid"]],
  [{ _tag: "Stopping", pid: 42 }, ["_tag", "pid"]],
  [{ _tag: "Stopped" }, ["_tag"]],
  [{ _tag: "Disabled" }, ["_tag"]],
  [{ _tag: "Exited", pid: 42, exit, recycled: true }, ["_tag", "exit", "pid", "recycled"]],
  [{ _tag: "Backoff", attempt: 2, nextAttemptAt: 3000, exit }, ["_tag", "attempt", "exit", "nextAttemptAt"]],
  [
    { _tag: "GaveUp", failures: 5, windowMs: 60_000, at: 9000, exit, retryAt: null },
    ["_tag", "at", "exit", "failures", "retryAt", "windowMs"]
  ],
  [{ _tag: "Unknown", pid: null, error: "cannot read /proc" }, ["_tag", "error", "pid"]],
  [{ _tag: "Invalid", file: "/f/agents/a/config.yaml", error: "bad" }, ["_tag", "error", "file"]]
]

const decodeStatus = Schema.decodeUnknownResult(Status)
const encodeStatus = Schema.encodeUnknownSync(Status)

describe("Status", () => {
  it.each(examples)("%j encodes to its documented keys and decodes back", (status, keys) => {
    const json: unknown = JSON.parse(JSON.stringify(encodeStatus(status)))
    expect(Object.keys(json as object).toSorted()).toEqual(keys)
    expect(decodeStatus(json)).toEqual(Result.succeed(status))
  })

  it("the examples cover every state", () => {
    expect(examples.map(([s]) => s._tag).toSorted()).toEqual(Object.keys(Status.cases).toSorted())
  })

  // Each field is required: a status without its reason's data is not a status.
  const withoutOneField = examples.flatMap(([status, keys]) =>
    keys
      .filter((k) => k !== "_tag")
      .map((k) => [status._tag, k, Object.fromEntries(Object.entries(status).filter(([key]) => key !== k))] as const)
  )
  it.each(withoutOneField)("%s without %s is rejected", (_tag, _field, value) => {
    expect(Result.isFailure(decodeStatus(value))).toBe(true)
  })

  it.each([
    { _tag: "Crashed" },
    { _tag: "running" },
    {},
    { _tag: "Running", pid: "42", instances: 1, startedAt: null },
    { _tag: "Running", pid: 4.2, instances: 1, startedAt: null },
    { _tag: "Exited", pid: 1, exit: { code: "1", signal: null, at: null }, recycled: false },
    { _tag: "Exited", pid: 1, exit: { code: 1, signal: 9, at: null }, recycled: false },
    { _tag: "Exited", pid: 1, exit: { code: 1, signal: null, at: "now" }, recycled: false },
    { _tag: "Exited", pid: 1, exit: { code: 1, signal: null }, recycled: false }
  ])("%j is rejected", (value) => {
    expect(Result.isFailure(decodeStatus(value))).toBe(true)
  })
})

describe("ExitInfo", () => {
  it.each([
    { code: 0, signal: null, at: 1 },
    { code: null, signal: "SIGKILL", at: 1.5 },
    { code: null, signal: null, at: null }
  ])("%j decodes as itself", (value) => {
    expect(Schema.decodeUnknownResult(ExitInfo)(value)).toEqual(Result.succeed(value))
  })

  it.each([{ code: 1.5, signal: null, at: null }, { code: null, signal: null }, { signal: null, at: null }, null])(
    "%j is rejected",
    (value) => {
      expect(Result.isFailure(Schema.decodeUnknownResult(ExitInfo)(value))).toBe(true)
    }
  )
})

describe("StatusName", () => {
  const names = [
    "running",
    "starting",
    "stopping",
    "stopped",
    "disabled",
    "exited",
    "backoff",
    "gave-up",
    "unknown",
    "invalid"
  ]

  it.each(names)("%s decodes", (name) => {
    expect(Schema.decodeUnknownResult(StatusName)(name)).toEqual(Result.succeed(name))
  })

  it.each(["", "Running", "gave_up", "gaveup", "crashed", "stale"])("%j is not a status", (name) => {
    expect(Schema.is(StatusName)(name)).toBe(false)
  })

  it("is exactly the documented set, and what statusName gives for each state", () => {
    expect([...StatusName.literals]).toEqual(names)
    expect(examples.map(([s]) => statusName(s))).toEqual(names)
  })
})
