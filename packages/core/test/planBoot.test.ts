import { describe, expect, it } from "vitest"
import { parseAgentConfig } from "../src/ConfigFile.ts"
import { indexSnapshot } from "../src/Identity.ts"
import { type RecordRead, resolveAll } from "../src/Listing.ts"
import type { PidRecord } from "../src/PidRecord.ts"
import { planBoot } from "../src/planBoot.ts"
import type { ProcessInfo, Snapshot } from "../src/ProcessTable.ts"

const root = "/f"
const entry = (id: string, extra = "", enabled = true) =>
  parseAgentConfig(
    `/f/agents/${id}/config.yaml`,
    `/f/agents/${id}`,
    `agent:\n  id: ${id}\n  enabled: ${enabled}\nrun:\n  command: worker\n${extra}`
  )
const proc = (pid: number, agent: string | null, extra: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid,
  ppid: 1,
  pgid: pid,
  sid: pid,
  state: "S",
  comm: "worker",
  startTime: 100,
  marker: agent === null ? null : { fleet: root, agent },
  ...extra
})
const snapshot = (...ps: ReadonlyArray<ProcessInfo>): Snapshot => ({
  bootId: "b",
  bootTimeMs: 1_000_000,
  ticksPerSecond: 100,
  processes: new Map(ps.map((p) => [p.pid, p]))
})
const record = (pid: number, startTime = 100): PidRecord => ({ pid, startTime, bootId: "b", startedAt: 0 })

const plan = (
  entries: ReadonlyArray<ReturnType<typeof entry>>,
  records: Readonly<Record<string, PidRecord>>,
  s: Snapshot
) => {
  const reads = new Map<string, RecordRead>(Object.entries(records))
  return planBoot(resolveAll(root, entries, reads, s, indexSnapshot(s)), s)
}

describe("planBoot", () => {
  it.each([
    {
      name: "recorded and alive: adopt, record kept",
      entries: [entry("a")],
      records: { a: record(10) },
      snapshot: snapshot(proc(10, null)),
      expect: [{ _tag: "Adopt", id: "a", pid: 10, repairRecord: false, duplicates: [] }]
    },
    {
      name: "found by its marker only: adopt and repair the record",
      entries: [entry("a")],
      records: {},
      snapshot: snapshot(proc(20, "a")),
      expect: [{ _tag: "Adopt", id: "a", pid: 20, repairRecord: true, duplicates: [] }]
    },
    {
      name: "two instances: adopt the recorded one, the other is a duplicate",
      entries: [entry("a")],
      records: { a: record(30, 200) },
      snapshot: snapshot(proc(20, "a", { startTime: 50 }), proc(30, "a", { startTime: 200 })),
      expect: [{ _tag: "Adopt", id: "a", pid: 30, repairRecord: false, duplicates: [20] }]
    },
    {
      name: "a disabled agent that runs is adopted too (nothing is stopped behind the user's back)",
      entries: [entry("a", "", false)],
      records: {},
      snapshot: snapshot(proc(20, "a")),
      expect: [{ _tag: "Adopt", id: "a", pid: 20, repairRecord: true, duplicates: [] }]
    },
    {
      name: "enabled and not running: start",
      entries: [entry("a")],
      records: {},
      snapshot: snapshot(),
      expect: [{ _tag: "Start", id: "a" }]
    },
    {
      name: "disabled and not running: disabled",
      entries: [entry("a", "", false)],
      records: {},
      snapshot: snapshot(),
      expect: [{ _tag: "Disabled", id: "a" }]
    },
    {
      name: "died unsupervised with restart: never: exited, not started",
      entries: [entry("a", "  restart: never\n")],
      records: { a: record(10) },
      snapshot: snapshot(),
      expect: [{ _tag: "Exited", id: "a", pid: 10, recycled: false }]
    },
    {
      name: "died unsupervised with on-failure: started again",
      entries: [entry("a")],
      records: { a: record(10) },
      snapshot: snapshot(),
      expect: [{ _tag: "Start", id: "a" }]
    },
    {
      name: "restart: never and its pid recycled: exited, recycled",
      entries: [entry("a", "  restart: never\n")],
      records: { a: record(10) },
      snapshot: snapshot(proc(10, null, { startTime: 999 })),
      expect: [{ _tag: "Exited", id: "a", pid: 10, recycled: true }]
    }
  ])("$name", (c) => {
    const actions = plan(c.entries, c.records, c.snapshot).map((a) =>
      a._tag === "Adopt"
        ? {
            _tag: a._tag,
            id: a.id,
            pid: a.instance.pid,
            repairRecord: a.repairRecord,
            duplicates: a.duplicates.map((d) => d.pid)
          }
        : a
    )
    expect(actions).toEqual(c.expect)
  })

  it("an adopted instance's start time becomes wall clock", () => {
    const [action] = plan([entry("a")], { a: record(10, 250) }, snapshot(proc(10, null, { startTime: 250 })))
    expect(action?._tag === "Adopt" ? action.startedAt : null).toBe(1_002_500)
  })
})
