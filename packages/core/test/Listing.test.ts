import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import { AgentRow, Supervisor } from "../src/AgentRow.ts"
import { type ConfigEntry, parseAgentConfig } from "../src/ConfigFile.ts"
import { daemonlessRows, invalidRow, type RecordRead, resolveAll, rowFromStatus } from "../src/Listing.ts"
import type { ProcessInfo, Snapshot } from "../src/ProcessTable.ts"
import type { Status } from "../src/Status.ts"

const root = "/fleet"
const now = 65_000

const valid = (id: string, extra = ""): Extract<ConfigEntry, { _tag: "Valid" }> => {
  const file = `${root}/agents/${id}/config.yaml`
  const entry = parseAgentConfig(
    file,
    `${root}/agents/${id}`,
    `agent:\n  id: ${id}\n  name: Agent ${id}\n${extra}run:\n  command: sleep\n`
  )
  if (entry._tag !== "Valid") throw new Error(entry.error)
  return entry
}

const invalid: Extract<ConfigEntry, { _tag: "Invalid" }> = {
  _tag: "Invalid",
  file: `${root}/agents/bad/config.yaml`,
  id: "bad",
  error: `${root}/agents/bad/config.yaml: run.command: Missing key`
}

const leader = (pid: number, startTime: number, agent: string | null): ProcessInfo => ({
  pid,
  ppid: 1,
  pgid: pid,
  sid: pid,
  state: "S",
  comm: "sleep",
  startTime,
  marker: agent === null ? null : { fleet: root, agent }
})

const snapshotOf = (...processes: Array<ProcessInfo>): Snapshot => ({
  bootId: "boot",
  bootTimeMs: 0,
  ticksPerSecond: 100,
  processes: new Map(processes.map((p) => [p.pid, p]))
})

const rowKeys = [
  "detail",
  "drift",
  "enabled",
  "error",
  "file",
  "health",
  "id",
  "instances",
  "logs",
  "name",
  "pid",
  "probes",
  "reason",
  "restarts",
  "status",
  "supervisor",
  "uptime"
]

describe("rowFromStatus", () => {
  const exit = { code: 1, signal: null, at: 1 }
  // What `ls` shows of each state: a pid only while it runs, starts or stops; uptime only while it runs.
  it.each<readonly [Status, { pid: number | null; instances: number; uptime: number | null }]>([
    [
      { _tag: "Running", pid: 42, instances: 1, startedAt: now - 61_500 },
      { pid: 42, instances: 1, uptime: 61 }
    ],
    [
      { _tag: "Running", pid: 42, instances: 3, startedAt: now - 999 },
      { pid: 42, instances: 3, uptime: 0 }
    ],
    [
      { _tag: "Running", pid: 42, instances: 1, startedAt: now - 1000 },
      { pid: 42, instances: 1, uptime: 1 }
    ],
    // The clock stepped back: a start in the future is 0 s ago, never negative.
    [
      { _tag: "Running", pid: 42, instances: 1, startedAt: now + 5000 },
      { pid: 42, instances: 1, uptime: 0 }
    ],
    [
      { _tag: "Running", pid: 42, instances: 1, startedAt: null },
      { pid: 42, instances: 1, uptime: null }
    ],
    [
      { _tag: "Starting", pid: 7 },
      { pid: 7, instances: 0, uptime: null }
    ],
    [
      { _tag: "Starting", pid: null },
      { pid: null, instances: 0, uptime: null }
    ],
    [
      { _tag: "Stopping", pid: 8 },
      { pid: 8, instances: 0, uptime: null }
    ],
    [{ _tag: "Stopped" }, { pid: null, instances: 0, uptime: null }],
    [
      { _tag: "Exited", pid: 9, exit, recycled: false },
      { pid: null, instances: 0, uptime: null }
    ],
    [
      { _tag: "Backoff", attempt: 1, nextAttemptAt: now, exit },
      { pid: null, instances: 0, uptime: null }
    ],
    [
      { _tag: "Unknown", pid: 5, error: "x" },
      { pid: null, instances: 0, uptime: null }
    ]
  ])("%j → %j", (detail, shown) => {
    const row = rowFromStatus(valid("a").spec, detail, {
      restarts: 2,
      error: null,
      supervisor: "launcher",
      now,
      logs: null,
      health: null,
      probes: [],
      drift: null
    })
    expect({ pid: row.pid, instances: row.instances, uptime: row.uptime }).toEqual(shown)
  })

  it("carries the config's identity, the caller's counters and the status in words", () => {
    const usage = { bytes: 10, writtenBytes: 20, droppedBytes: 0, evictedBytes: 0, cutLines: 1, warning: null }
    const detail: Status = { _tag: "Stopping", pid: 8 }
    const entry = valid("a", "  enabled: false\n")
    expect(
      rowFromStatus(entry.spec, detail, {
        restarts: 2,
        error: "corrupt pid record",
        supervisor: "launcher",
        now,
        logs: usage,
        health: "ready",
        probes: [],
        drift: null
      })
    ).toEqual({
      id: "a",
      name: "Agent a",
      enabled: false,
      status: "stopping",
      reason: "stopping pid 8",
      pid: 8,
      instances: 0,
      uptime: null,
      restarts: 2,
      file: `${root}/agents/a/config.yaml`,
      error: "corrupt pid record",
      supervisor: "launcher",
      detail,
      logs: usage,
      health: "ready",
      probes: [],
      drift: null
    })
  })
})

describe("invalidRow", () => {
  it("names the file and the error, and is never enabled or running", () => {
    expect(invalidRow(invalid, "daemonless", now)).toEqual({
      id: "bad",
      name: "",
      enabled: false,
      status: "invalid",
      reason: invalid.error,
      pid: null,
      instances: 0,
      uptime: null,
      restarts: 0,
      file: invalid.file,
      error: invalid.error,
      supervisor: "daemonless",
      detail: { _tag: "Invalid", file: invalid.file, error: invalid.error },
      logs: null,
      health: null,
      probes: [],
      drift: null
    })
  })
})

describe("resolveAll", () => {
  it("resolves the valid entries only, in order", () => {
    const resolved = resolveAll(root, [invalid, valid("b"), valid("a")], new Map(), snapshotOf())
    expect(resolved.map((r) => r.entry.spec.config.agent.id)).toEqual(["b", "a"])
  })
})

describe("daemonlessRows", () => {
  const records = new Map<string, RecordRead>([
    ["run", { pid: 42, startTime: 500, bootId: "boot", startedAt: 1 }],
    ["gone", { pid: 4242, startTime: 100, bootId: "boot", startedAt: 1 }],
    ["corrupt", { unreadable: "corrupt pid record: Expected a number" }]
  ])
  const entries = [valid("run"), invalid, valid("gone"), valid("corrupt"), valid("off", "  enabled: false\n")]
  const rows = daemonlessRows(root, entries, records, snapshotOf(leader(42, 500, "run")), now, new Map(), new Map())

  it("one row per config file, in the fleet's order, each from the records and the snapshot", () => {
    expect(rows.map((r) => [r.id, r.status, r.pid, r.uptime, r.error])).toEqual([
      // started at tick 500 at 100 Hz: 5 s after boot, 60 s before now
      ["run", "running", 42, 60, null],
      ["bad", "invalid", null, null, invalid.error],
      ["gone", "exited", null, null, null],
      // An unreadable record is reported on its row; the agent is not taken for running.
      ["corrupt", "stopped", null, null, "corrupt pid record: Expected a number"],
      ["off", "disabled", null, null, null]
    ])
    expect(rows.every((r) => r.supervisor === "daemonless" && r.restarts === 0)).toBe(true)
  })

  it("an exited agent names the pid its record held", () => {
    expect(rows[2]!.detail).toEqual({
      _tag: "Exited",
      pid: 4242,
      exit: { code: null, signal: null, at: null },
      recycled: false
    })
    expect(rows[2]!.reason).toBe("pid 4242 exited (exit status unknown)")
  })

  it("every row encodes to the keys documented for ls --json, and decodes back", () => {
    for (const row of rows) {
      const json: unknown = JSON.parse(JSON.stringify(Schema.encodeUnknownSync(AgentRow)(row)))
      expect(Object.keys(json as object).toSorted()).toEqual(rowKeys)
      expect(Schema.decodeUnknownResult(AgentRow)(json)).toEqual(Result.succeed(row))
    }
  })
})

describe("AgentRow", () => {
  const row = daemonlessRows(root, [valid("a")], new Map(), snapshotOf(), now, new Map(), new Map())[0]!

  it.each(["daemonless", "launcher"])("supervisor %s decodes", (supervisor) => {
    expect(Schema.decodeUnknownResult(AgentRow)({ ...row, supervisor })).toEqual(Result.succeed({ ...row, supervisor }))
  })

  it.each([
    { ...row, supervisor: "systemd" },
    { ...row, supervisor: "" },
    { ...row, status: "crashed" },
    { ...row, detail: { _tag: "Crashed" } },
    Object.fromEntries(Object.entries(row).filter(([k]) => k !== "reason"))
  ])("%j is rejected", (value) => {
    expect(Result.isFailure(Schema.decodeUnknownResult(AgentRow)(value))).toBe(true)
  })

  it("Supervisor is exactly the two modes", () => {
    expect([...Supervisor.literals]).toEqual(["daemonless", "launcher"])
  })
})
