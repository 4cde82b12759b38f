import type { AgentRow } from "@agentctl/core/AgentRow"
import * as fs from "node:fs"
import { afterEach, describe, expect, it } from "vitest"
import { makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * Real `agentctl` processes racing each other on one fleet, for a bounded number of rounds:
 * whatever the interleaving, one instance per agent, one launcher, and `ls` equal to the
 * process table. Every process is cleaned up by pid.
 */

/** Live `sleep` processes of the fleet, by the agent their marker names. */
const instancesByAgent = (fleet: TestFleet): Map<string, Array<number>> => {
  const byAgent = new Map<string, Array<number>>()
  for (const pid of fleet.pids()) {
    let comm: string
    let environ: string
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim()
      environ = fs.readFileSync(`/proc/${pid}/environ`, "latin1")
    } catch {
      continue
    }
    if (comm !== "sleep") continue
    const agent = /(?:^|\0)AGENTCTL_AGENT=([^\0]*)/.exec(environ)?.[1]
    if (agent === undefined) continue
    byAgent.set(agent, [...(byAgent.get(agent) ?? []), pid])
  }
  return byAgent
}

const launchers = (fleet: TestFleet): Array<number> =>
  fleet.pids().filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("launcher")
    } catch {
      return false
    }
  })

/** Every agent runs exactly once and `ls --json` says so, pid for pid. */
const expectOneEach = async (fleet: TestFleet, ids: ReadonlyArray<string>, round: number) => {
  const table = instancesByAgent(fleet)
  const rows = await fleet.json<ReadonlyArray<AgentRow>>("ls")
  for (const id of ids) {
    const pids = table.get(id) ?? []
    const row = rows.find((r) => r.id === id)
    expect(pids.length, `round ${round}: ${id} runs ${pids.length} times`).toBe(1)
    expect(row?.status, `round ${round}: ${id}`).toBe("running")
    expect(row?.pid, `round ${round}: ${id}`).toBe(pids[0])
    expect(row?.instances, `round ${round}: ${id}`).toBe(1)
  }
}

const killAll = async (fleet: TestFleet) => {
  await fleet.run("kill", "--all")
  await waitFor(() => instancesByAgent(fleet).size === 0, 10_000)
}

describe("commands racing on one fleet", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("two `start --all` at once start every agent once; the second finds them running", async () => {
    fleet = makeFleet()
    const f = fleet
    const ids = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, "0")}`)
    for (const id of ids) f.agent(id, "sleep", ["600"])
    for (let round = 0; round < 2; round++) {
      const [a, b] = await Promise.all([
        f.json<ReadonlyArray<{ result: string }>>("start", "--all"),
        f.json<ReadonlyArray<{ result: string }>>("start", "--all")
      ])
      const started = [...a, ...b].filter((o) => o.result === "started").length
      expect(started, `round ${round}`).toBe(ids.length)
      await expectOneEach(f, ids, round)
      await killAll(f)
    }
  })

  it("`start --all` racing `launcher start`: one launcher, every agent once, under its supervision", async () => {
    fleet = makeFleet()
    const f = fleet
    const ids = Array.from({ length: 10 }, (_, i) => `r${i}`)
    for (const id of ids) f.agent(id, "sleep", ["600"], "  restart: always\n")
    for (let round = 0; round < 2; round++) {
      const [started, launched] = await Promise.all([f.run("start", "--all"), f.run("launcher", "start")])
      expect(started.code, `round ${round}: ${started.stderr}`).toBe(0)
      expect(launched.code, `round ${round}: ${launched.stderr}`).toBe(0)
      await waitFor(() => instancesByAgent(f).size === ids.length, 20_000)
      await expectOneEach(f, ids, round)
      expect(launchers(f).length, `round ${round}`).toBe(1)
      const rows = await f.json<ReadonlyArray<AgentRow>>("ls")
      expect(rows.every((r) => r.supervisor === "launcher")).toBe(true)
      expect((await f.run("launcher", "stop")).code).toBe(0)
      await waitFor(() => instancesByAgent(f).size === 0 && launchers(f).length === 0, 20_000)
    }
  })

  it("`start` and `stop` of one agent at once through the launcher: the status is the truth", async () => {
    fleet = makeFleet()
    const f = fleet
    // It takes a moment to stop (SIGTERM is trapped and it exits 0.3 s later).
    f.agent("a0", "bash", ["-c", "trap 'sleep 0.3; exit 0' TERM; sleep 600 & wait"], "  restart: always\n")
    expect((await f.run("launcher", "start")).code).toBe(0)
    for (let round = 0; round < 3; round++) {
      await Promise.all([f.run("start", "a0"), f.run("stop", "a0")])
      await new Promise((r) => setTimeout(r, 500))
      const row = (await f.json<ReadonlyArray<AgentRow>>("ls")).find((r) => r.id === "a0")!
      const running = f.pids().filter((pid) => {
        try {
          return (
            /(?:^|\0)AGENTCTL_AGENT=a0(?:\0|$)/.test(fs.readFileSync(`/proc/${pid}/environ`, "latin1")) &&
            fs.readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]!.split(" ")[3] === String(pid)
          )
        } catch {
          return false
        }
      })
      expect(running.length, `round ${round}: session leaders of a0`).toBeLessThanOrEqual(1)
      expect(row.status, `round ${round}`).toBe(running.length === 1 ? "running" : "stopped")
      if (running.length === 1) expect(row.pid, `round ${round}`).toBe(running[0])
      // And a later start never makes a second copy.
      await f.run("start", "a0")
      await new Promise((r) => setTimeout(r, 300))
      const after = (await f.json<ReadonlyArray<AgentRow>>("ls")).find((r) => r.id === "a0")!
      expect(after.instances, `round ${round}`).toBe(1)
    }
    expect((await f.run("launcher", "stop")).code).toBe(0)
  })
})
