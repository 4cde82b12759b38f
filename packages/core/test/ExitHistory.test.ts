import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import {
  AgentHistoryJson,
  emptyHistory,
  type ExitFacts,
  type ExitReason,
  type ExitRecord,
  exitReason,
  maxExits,
  withExit
} from "../src/ExitHistory.ts"
import { stoppedRecord, uptimeBetween } from "../src/recordExits.ts"

const exit = (code: number | null, signal: string | null = null) => ({ code, signal, at: 1000 })

describe("exitReason", () => {
  it.each<{ readonly name: string; readonly facts: ExitFacts; readonly reason: ExitReason }>([
    { name: "code 0, nobody asked", facts: { exit: exit(0), requested: null, oomKilled: false }, reason: "exited" },
    { name: "code 1", facts: { exit: exit(1), requested: null, oomKilled: false }, reason: "crashed" },
    {
      name: "code 137 (a wrapper's child killed)",
      facts: { exit: exit(137), requested: null, oomKilled: false },
      reason: "crashed"
    },
    {
      name: "a signal nobody sent",
      facts: { exit: exit(null, "SIGSEGV"), requested: null, oomKilled: false },
      reason: "crashed"
    },
    {
      name: "SIGKILL without the kernel's record",
      facts: { exit: exit(null, "SIGKILL"), requested: null, oomKilled: false },
      reason: "crashed"
    },
    {
      name: "SIGKILL and the OOM count grew",
      facts: { exit: exit(null, "SIGKILL"), requested: null, oomKilled: true },
      reason: "oom"
    },
    // The count grew for some other process of the cgroup: this instance ended otherwise.
    {
      name: "the OOM count grew, code 1",
      facts: { exit: exit(1), requested: null, oomKilled: true },
      reason: "crashed"
    },
    {
      name: "the OOM count grew, SIGTERM",
      facts: { exit: exit(null, "SIGTERM"), requested: null, oomKilled: true },
      reason: "crashed"
    },
    {
      name: "the OOM count grew, code 0",
      facts: { exit: exit(0), requested: null, oomKilled: true },
      reason: "exited"
    },
    {
      name: "unseen (adopted: no code, no signal)",
      facts: { exit: exit(null), requested: null, oomKilled: false },
      reason: "crashed"
    },
    {
      name: "a user's stop",
      facts: { exit: exit(null, "SIGTERM"), requested: "stop", oomKilled: false },
      reason: "stopped"
    },
    {
      name: "a user's stop that needed SIGKILL",
      facts: { exit: exit(null, "SIGKILL"), requested: "stop", oomKilled: false },
      reason: "stopped"
    },
    {
      name: "a user's kill",
      facts: { exit: exit(null, "SIGKILL"), requested: "kill", oomKilled: false },
      reason: "killed"
    },
    {
      name: "a user's kill as the OOM count grew",
      facts: { exit: exit(null, "SIGKILL"), requested: "kill", oomKilled: true },
      reason: "killed"
    },
    {
      name: "a failing liveness probe",
      facts: { exit: exit(0), requested: "unhealthy", oomKilled: false },
      reason: "unhealthy"
    },
    {
      name: "over run.max_memory",
      facts: { exit: exit(null, "SIGTERM"), requested: "memory", oomKilled: false },
      reason: "memory"
    },
    {
      name: "over run.max_memory, then the OOM killer",
      facts: { exit: exit(null, "SIGKILL"), requested: "memory", oomKilled: true },
      reason: "memory"
    }
  ])("$name: $reason", ({ facts, reason }) => {
    expect(exitReason(facts)).toBe(reason)
  })
})

const record = (at: number): ExitRecord => ({ at, pid: 7, code: 1, signal: null, reason: "crashed", uptime: 1.5 })

describe("withExit", () => {
  it("puts the newest first and sets the restart count", () => {
    const once = withExit(emptyHistory, record(1), 0)
    const twice = withExit(once, record(2), 1)
    expect(twice).toEqual({ restarts: 1, exits: [record(2), record(1)] })
  })

  it(`keeps the last ${maxExits} exits`, () => {
    let history = emptyHistory
    for (let i = 1; i <= maxExits + 7; i++) history = withExit(history, record(i), i)
    expect(history.exits).toHaveLength(maxExits)
    expect(history.exits[0]!.at).toBe(maxExits + 7)
    expect(history.exits.at(-1)!.at).toBe(8)
    expect(history.restarts).toBe(maxExits + 7)
  })
})

describe("stoppedRecord", () => {
  it.each([
    { name: "a stop", requested: "stop", escalated: false, signal: "SIGTERM", reason: "stopped" },
    { name: "a stop that ran out of time", requested: "stop", escalated: true, signal: "SIGKILL", reason: "stopped" },
    { name: "a kill", requested: "kill", escalated: false, signal: "SIGKILL", reason: "killed" }
  ] as const)("$name: $reason with $signal", ({ requested, escalated, signal, reason }) => {
    const first = requested === "kill" ? "SIGKILL" : "SIGTERM"
    expect(stoppedRecord({ pid: 42, startedAt: 1000, signal: first, escalated, requested, at: 4500 })).toEqual({
      at: 4500,
      pid: 42,
      code: null,
      signal,
      reason,
      uptime: 3.5
    })
  })

  it("an unknown start is an unknown uptime; a clock that stepped back is 0", () => {
    expect(uptimeBetween(null, 5000)).toBeNull()
    expect(uptimeBetween(6000, 5000)).toBe(0)
  })
})

describe("AgentHistoryJson", () => {
  it("round-trips, and refuses a reason outside the closed set", () => {
    const history = withExit(emptyHistory, record(1), 3)
    const text = Schema.encodeSync(AgentHistoryJson)(history)
    expect(Schema.decodeUnknownSync(AgentHistoryJson)(text)).toEqual(history)
    const bad = text.replace('"crashed"', '"exploded"')
    expect(() => Schema.decodeUnknownSync(AgentHistoryJson)(bad)).toThrow(/reason/)
  })
})
