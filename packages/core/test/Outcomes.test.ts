import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import {
  KillOutcome,
  ReloadOutcome,
  RestartOutcome,
  StartOutcome,
  StopOutcome,
  ToggleOutcome
} from "../src/Outcomes.ts"

/*
 * What `start`/`stop`/... print with --json and the API returns: the CLI decodes the launcher's
 * answers with these, so each result word and field must decode exactly as documented.
 */

const start: StartOutcome = { id: "a", result: "started", pid: 42, error: null }
const stop: StopOutcome = { id: "a", result: "stopped", pids: [42, 43], escalated: true, removedStaleRecord: false }

interface Case {
  readonly name: string
  readonly schema: Schema.Codec<unknown, unknown>
  readonly values: ReadonlyArray<unknown>
  readonly keys: ReadonlyArray<string>
  readonly rejected: ReadonlyArray<unknown>
}

const cases: ReadonlyArray<Case> = [
  {
    name: "StartOutcome",
    schema: StartOutcome,
    values: [
      start,
      { id: "a", result: "already-running", pid: 42, error: null },
      { id: "a", result: "failed", pid: null, error: 'command "x" not found on PATH' }
    ],
    keys: ["error", "id", "pid", "result"],
    rejected: [
      { ...start, result: "running" },
      { ...start, result: "" },
      { ...start, pid: "42" },
      { id: "a", result: "started", pid: 42 }
    ]
  },
  {
    name: "StopOutcome",
    schema: StopOutcome,
    values: [
      stop,
      { id: "a", result: "not-running", pids: [], escalated: false, removedStaleRecord: true },
      { id: "a", result: "restart-cancelled", pids: [], escalated: false, removedStaleRecord: false }
    ],
    keys: ["escalated", "id", "pids", "removedStaleRecord", "result"],
    rejected: [
      { ...stop, result: "killed" },
      { ...stop, pids: [1.5] },
      { ...stop, escalated: "no" },
      { id: "a", result: "stopped", pids: [], escalated: false }
    ]
  },
  {
    name: "KillOutcome",
    schema: KillOutcome,
    values: [
      { id: "a", result: "killed", pids: [42] },
      { id: "a", result: "not-running", pids: [] }
    ],
    keys: ["id", "pids", "result"],
    rejected: [
      { id: "a", result: "stopped", pids: [] },
      { id: "a", result: "killed" }
    ]
  },
  {
    name: "RestartOutcome",
    schema: RestartOutcome,
    values: [{ stop, start }],
    keys: ["start", "stop"],
    rejected: [{ stop }, { stop, start: { ...start, result: "restarted" } }]
  },
  {
    name: "ToggleOutcome",
    schema: ToggleOutcome,
    values: [{ id: "a", enabled: false, changed: true, file: "/f/agents/a/config.yaml" }],
    keys: ["changed", "enabled", "file", "id"],
    rejected: [{ id: "a", enabled: false, changed: true }]
  },
  {
    name: "ReloadOutcome",
    schema: ReloadOutcome,
    values: [
      {
        started: ["new"],
        stopped: ["gone"],
        restarted: ["changed"],
        unchanged: ["same"],
        invalid: [{ file: "/f/agents/bad/config.yaml", error: "run.command: missing" }]
      }
    ],
    keys: ["invalid", "restarted", "started", "stopped", "unchanged"],
    rejected: [
      { started: [], stopped: [], restarted: [], unchanged: [] },
      { started: [], stopped: [], restarted: [], unchanged: [], invalid: [{ file: "x" }] }
    ]
  }
]

describe.each(cases)("$name", ({ schema, values, keys, rejected }) => {
  const decode = Schema.decodeUnknownResult(schema)

  it.each(values)("%j encodes to its documented keys and decodes back", (value) => {
    const json: unknown = JSON.parse(JSON.stringify(Schema.encodeUnknownSync(schema)(value)))
    expect(Object.keys(json as object).toSorted()).toEqual(keys)
    expect(decode(json)).toEqual(Result.succeed(value))
  })

  it.each(rejected)("%j is rejected", (value) => {
    expect(Result.isFailure(decode(value))).toBe(true)
  })
})
