import { describe, expect, it } from "vitest"
import { deriveStatus } from "../src/deriveStatus.ts"
import { indexSnapshot, liveMembers, resolveAgent, spawnedInstance } from "../src/Identity.ts"
import type { PidRecord } from "../src/PidRecord.ts"
import type { ProcessInfo, Snapshot } from "../src/ProcessTable.ts"

const fleet = "/fleet"
const boot = "boot-1"

const proc = (p: Partial<ProcessInfo> & { readonly pid: number }): ProcessInfo => ({
  ppid: 1,
  pgid: p.pid,
  sid: p.pid,
  state: "S",
  comm: "x",
  startTime: 100,
  marker: null,
  ...p
})
const marked = (pid: number, agent = "a", extra: Partial<ProcessInfo> = {}) =>
  proc({ pid, marker: { fleet, agent }, ...extra })
const snapshot = (...ps: ReadonlyArray<ProcessInfo>): Snapshot => ({
  bootId: boot,
  bootTimeMs: 1_000_000,
  ticksPerSecond: 100,
  processes: new Map(ps.map((p) => [p.pid, p]))
})
const record = (pid: number, startTime: number | null = 100, bootId = boot): PidRecord => ({
  pid,
  startTime,
  bootId,
  startedAt: 0
})

interface Case {
  readonly name: string
  readonly snapshot: Snapshot
  readonly record: PidRecord | null
  readonly expect: {
    readonly pids: ReadonlyArray<number>
    readonly primary: number | null
    readonly record: "none" | "ok" | "stale"
    readonly recycled: boolean
    readonly repair: boolean
    readonly status: string
    /** default: one instance when anything runs */
    readonly instances?: number
  }
}

const cases: ReadonlyArray<Case> = [
  {
    name: "nothing recorded, nothing running",
    snapshot: snapshot(proc({ pid: 50 })),
    record: null,
    expect: { pids: [], primary: null, record: "none", recycled: false, repair: false, status: "Stopped" }
  },
  {
    name: "record matches pid and start time",
    snapshot: snapshot(proc({ pid: 10 })),
    record: record(10),
    expect: { pids: [10], primary: 10, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "recycled pid: same pid, other start time, no marker",
    snapshot: snapshot(proc({ pid: 10, startTime: 999 })),
    record: record(10),
    expect: { pids: [], primary: null, record: "stale", recycled: true, repair: false, status: "Exited" }
  },
  {
    name: "record from another boot",
    snapshot: snapshot(proc({ pid: 10 })),
    record: record(10, 100, "boot-0"),
    expect: { pids: [], primary: null, record: "stale", recycled: true, repair: false, status: "Exited" }
  },
  {
    name: "record without a start time (the process died before it was seen)",
    snapshot: snapshot(proc({ pid: 10 })),
    record: record(10, null),
    expect: { pids: [], primary: null, record: "stale", recycled: true, repair: false, status: "Exited" }
  },
  {
    name: "dead pid, no process at all",
    snapshot: snapshot(),
    record: record(10),
    expect: { pids: [], primary: null, record: "stale", recycled: false, repair: false, status: "Exited" }
  },
  {
    name: "a zombie is not running",
    snapshot: snapshot(proc({ pid: 10, state: "Z" })),
    record: record(10),
    expect: { pids: [], primary: null, record: "stale", recycled: false, repair: false, status: "Exited" }
  },
  {
    name: "stale record, but the marker finds the agent: repair",
    snapshot: snapshot(marked(20)),
    record: record(10),
    expect: { pids: [20], primary: 20, record: "stale", recycled: false, repair: true, status: "Running" }
  },
  {
    name: "no record, marked instance: repair",
    snapshot: snapshot(marked(20)),
    record: null,
    expect: { pids: [20], primary: 20, record: "none", recycled: false, repair: true, status: "Running" }
  },
  {
    name: "a wrapper and its child are one instance",
    snapshot: snapshot(marked(20), proc({ pid: 21, ppid: 20, pgid: 20, sid: 20, startTime: 101 })),
    record: record(20),
    expect: { pids: [20, 21], primary: 20, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "two marked sessions are two instances; the recorded one is primary",
    snapshot: snapshot(marked(20, "a", { startTime: 50 }), marked(30, "a", { startTime: 200 })),
    record: record(30, 200),
    expect: {
      pids: [20, 30],
      primary: 30,
      record: "ok",
      recycled: false,
      repair: false,
      status: "Running",
      instances: 2
    }
  },
  {
    name: "a session the agent started itself (setsid worker) is part of its instance, not a second one",
    snapshot: snapshot(marked(20), marked(25, "a", { ppid: 20, startTime: 150 })),
    record: record(20),
    expect: { pids: [20, 25], primary: 20, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "the worker joins the recorded instance even when the leader's marker was not read (fast ls)",
    snapshot: snapshot(proc({ pid: 20 }), marked(25, "a", { ppid: 20, startTime: 150 })),
    record: record(20),
    expect: { pids: [20, 25], primary: 20, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "a worker started by a child of the leader (wrapper → program → setsid) joins the instance",
    snapshot: snapshot(
      marked(20),
      proc({ pid: 21, ppid: 20, sid: 20, pgid: 20, startTime: 110 }),
      marked(30, "a", { ppid: 21, startTime: 150 })
    ),
    record: record(20),
    expect: { pids: [20, 21, 30], primary: 20, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "an orphaned worker (its instance gone, reparented to init) is an instance of its own",
    snapshot: snapshot(marked(25, "a", { ppid: 1, startTime: 150 })),
    record: record(20),
    expect: { pids: [25], primary: 25, record: "stale", recycled: false, repair: true, status: "Running" }
  },
  {
    name: "a recorded pid that leads no session is not ours, whatever its start time",
    snapshot: snapshot(proc({ pid: 9 }), proc({ pid: 10, sid: 9, pgid: 9 })),
    record: record(10),
    expect: { pids: [], primary: null, record: "stale", recycled: true, repair: false, status: "Exited" }
  },
  {
    name: "a worker of the second of two instances belongs to the second",
    snapshot: snapshot(
      marked(20, "a", { startTime: 50 }),
      marked(30, "a", { startTime: 200 }),
      marked(35, "a", { ppid: 30, startTime: 250 })
    ),
    record: record(30, 200),
    expect: {
      pids: [20, 30, 35],
      primary: 30,
      record: "ok",
      recycled: false,
      repair: false,
      status: "Running",
      instances: 2
    }
  },
  {
    name: "another agent's or another fleet's marker is not ours",
    snapshot: snapshot(marked(20, "b"), proc({ pid: 21, marker: { fleet: "/other", agent: "a" } })),
    record: null,
    expect: { pids: [], primary: null, record: "none", recycled: false, repair: false, status: "Stopped" }
  },
  {
    name: "a marked zombie leader is not an instance",
    snapshot: snapshot(marked(20, "a", { state: "Z" })),
    record: null,
    expect: { pids: [], primary: null, record: "none", recycled: false, repair: false, status: "Stopped" }
  },
  {
    name: "a marked process that leads no session is not an instance of its own",
    snapshot: snapshot(proc({ pid: 9 }), marked(30, "a", { sid: 9, pgid: 9 })),
    record: null,
    expect: { pids: [], primary: null, record: "none", recycled: false, repair: false, status: "Stopped" }
  },
  {
    name: "the leader comes first among its session's processes, whatever their order in the table",
    snapshot: snapshot(proc({ pid: 15, ppid: 20, sid: 20, pgid: 20, startTime: 150 }), marked(20)),
    record: record(20),
    expect: { pids: [20, 15], primary: 20, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "a record with an unknown boot id (none could be read) matches on pid and start time",
    snapshot: snapshot(proc({ pid: 10 })),
    record: record(10, 100, ""),
    expect: { pids: [10], primary: 10, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "so does a snapshot without a boot id",
    snapshot: { ...snapshot(proc({ pid: 10 })), bootId: "" },
    record: record(10, 100, "boot-0"),
    expect: { pids: [10], primary: 10, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "a record naming a process of our own instance that leads no session is stale, not recycled",
    snapshot: snapshot(marked(20), proc({ pid: 21, ppid: 20, sid: 20, pgid: 20, startTime: 100 })),
    record: record(21),
    expect: { pids: [20, 21], primary: 20, record: "stale", recycled: false, repair: true, status: "Running" }
  },
  {
    name: "a marked session started by an unrelated process is an instance of its own",
    snapshot: snapshot(marked(20), proc({ pid: 99, startTime: 150 }), marked(30, "a", { ppid: 99, startTime: 200 })),
    record: record(20),
    expect: {
      pids: [20, 30],
      primary: 20,
      record: "ok",
      recycled: false,
      repair: false,
      status: "Running",
      instances: 2
    }
  },
  {
    name: "an ancestor older than the session whose number it carries was not started by it",
    snapshot: snapshot(
      marked(20, "a", { startTime: 500 }),
      proc({ pid: 21, sid: 20, pgid: 20, startTime: 10 }),
      marked(30, "a", { ppid: 21, startTime: 600 })
    ),
    record: record(20, 500),
    expect: {
      pids: [20, 30],
      primary: 20,
      record: "ok",
      recycled: false,
      repair: false,
      status: "Running",
      instances: 2
    }
  },
  {
    name: "a worker started through an intermediate session (setsid sh -c '... &') still joins the instance",
    snapshot: snapshot(
      marked(20),
      proc({ pid: 21, ppid: 20, sid: 20, pgid: 20, startTime: 110 }),
      proc({ pid: 25, ppid: 21, startTime: 120 }),
      marked(30, "a", { ppid: 25, startTime: 150 })
    ),
    record: record(20),
    expect: { pids: [20, 21, 30], primary: 20, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "a worker listed before its instance's leader still joins it, the leader first",
    snapshot: snapshot(marked(30, "a", { ppid: 20, startTime: 150 }), marked(20)),
    record: null,
    expect: { pids: [20, 30], primary: 20, record: "none", recycled: false, repair: true, status: "Running" }
  },
  {
    name: "an instance's worker sessions come oldest first",
    snapshot: snapshot(
      marked(20),
      marked(31, "a", { ppid: 20, startTime: 300 }),
      marked(32, "a", { ppid: 20, startTime: 200 })
    ),
    record: record(20),
    expect: { pids: [20, 32, 31], primary: 20, record: "ok", recycled: false, repair: false, status: "Running" }
  },
  {
    name: "instances started in the same tick are ordered by pid; without a record the first is primary",
    snapshot: snapshot(marked(40, "a", { startTime: 100 }), marked(30, "a", { startTime: 100 })),
    record: null,
    expect: {
      pids: [30, 40],
      primary: 30,
      record: "none",
      recycled: false,
      repair: true,
      status: "Running",
      instances: 2
    }
  },
  {
    name: "members older than the leader belong to a reused session id, not to us",
    snapshot: snapshot(marked(20, "a", { startTime: 500 }), proc({ pid: 5, sid: 20, startTime: 10 })),
    record: record(20, 500),
    expect: { pids: [20], primary: 20, record: "ok", recycled: false, repair: false, status: "Running" }
  }
]

describe("resolveAgent and deriveStatus", () => {
  it.each(cases)("$name", (c) => {
    const r = resolveAgent(indexSnapshot(c.snapshot), fleet, "a", c.record)
    expect(r.instances.flatMap((i) => i.pids)).toEqual(c.expect.pids)
    expect(r.instances.length).toBe(c.expect.instances ?? (c.expect.pids.length === 0 ? 0 : 1))
    expect(r.primary?.pid ?? null).toBe(c.expect.primary)
    expect(r.record).toBe(c.expect.record)
    expect(r.recycled).toBe(c.expect.recycled)
    expect(r.repair).toBe(c.expect.repair)
    expect(deriveStatus(true, r, c.snapshot, c.record?.pid ?? null)._tag).toBe(c.expect.status)
  })

  it.each([
    [true, "Stopped"],
    [false, "Disabled"]
  ] as const)("not running and enabled=%s is %s", (enabled, tag) => {
    const s = snapshot()
    expect(deriveStatus(enabled, resolveAgent(indexSnapshot(s), fleet, "a", null), s, null)._tag).toBe(tag)
  })

  it("a running agent's start time becomes wall clock from boot time and tick rate", () => {
    const s = snapshot(proc({ pid: 10, startTime: 250 }))
    const status = deriveStatus(true, resolveAgent(indexSnapshot(s), fleet, "a", record(10, 250)), s, 10)
    expect(status).toEqual({ _tag: "Running", pid: 10, instances: 1, startedAt: 1_002_500 })
  })

  it.each([
    ["leader alive", snapshot(proc({ pid: 10 })), [10]],
    ["leader gone, child left in the session", snapshot(proc({ pid: 11, sid: 10, startTime: 150 })), [11]],
    ["session empty", snapshot(), []],
    ["pid reused by a later process: never ours, so gone", snapshot(proc({ pid: 10, startTime: 900 })), []],
    ["only an older process with the same sid", snapshot(proc({ pid: 3, sid: 10, startTime: 5 })), []]
  ] as const)("a spawned instance's live members: %s", (_, s, pids) => {
    expect(liveMembers(indexSnapshot(s), spawnedInstance(10, 100)).map((p) => p.pid)).toEqual(pids)
  })

  // A worker `depth` processes below a process of the leader's session, each in a session of its own.
  const chain = (depth: number) => {
    const between = Array.from({ length: depth }, (_, i) =>
      proc({ pid: 100 + i, ppid: i === depth - 1 ? 21 : 101 + i })
    )
    return snapshot(
      marked(20),
      proc({ pid: 21, ppid: 20, sid: 20, pgid: 20, startTime: 110 }),
      ...between,
      marked(1000, "a", { ppid: 100, startTime: 200 })
    )
  }

  it.each([
    [63, 1],
    [64, 2]
  ])("ancestry is followed 64 processes up: a worker %i processes below is in %i instance(s)", (depth, count) => {
    const r = resolveAgent(indexSnapshot(chain(depth)), fleet, "a", record(20))
    expect(r.instances.map((i) => i.pid)).toEqual(count === 1 ? [20] : [20, 1000])
  })

  it("a forged process table whose parents form a cycle still resolves", () => {
    const forged = snapshot(
      marked(20, "a", { ppid: 31 }),
      proc({ pid: 21, ppid: 20, sid: 20, pgid: 20, startTime: 110 }),
      marked(30, "a", { ppid: 21 }),
      proc({ pid: 31, ppid: 30, sid: 30, pgid: 30, startTime: 110 }),
      marked(40, "a", { ppid: 41, startTime: 300 }),
      proc({ pid: 41, ppid: 40, startTime: 300 })
    )
    const r = resolveAgent(indexSnapshot(forged), fleet, "a", null)
    expect(r.instances.flatMap((i) => i.pids).toSorted()).toEqual([20, 21, 30, 31, 40])
  })
})
