import type { AgentRow } from "@agentctl/core/AgentRow"
import { readUsageSync } from "@agentctl/shell/procfsSync"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { alive, makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * A pid is never trusted alone, end to end: records anyone could write (a forged launcher.pid,
 * an agent record naming a process that leads no session) make agentctl signal nothing, and
 * an agent's own worker session is stopped with it.
 */

/** A process that is not ours: detached, no marker, cwd inside the fleet (so cleanup finds it). */
const stranger = (f: TestFleet, script: string) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { detached: true, stdio: "ignore", cwd: f.root })
    child.once("error", reject)
    child.once("spawn", () => {
      child.unref()
      resolve(child.pid!)
    })
  })

const recordOf = (pid: number) =>
  JSON.stringify({ pid, startTime: readUsageSync(pid, Date.now())!.startTime, bootId: "", startedAt: Date.now() })

describe("identity by evidence", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("a forged run/launcher.pid naming a live process: launcher stop and kill signal nothing", async () => {
    fleet = makeFleet()
    const f = fleet
    const victim = await stranger(f, "exec sleep 600")
    f.write("run/launcher.pid", recordOf(victim))
    const stop = await f.run("launcher", "stop")
    expect(stop.stdout).toContain("no launcher is running")
    const kill = await f.run("launcher", "kill")
    expect(kill.code).not.toBe(0)
    expect(alive(victim)).toBe(true)
    // Nothing routes through it either: commands act daemonless.
    f.agent("a", "sleep", ["600"])
    const rows = await f.json<ReadonlyArray<AgentRow>>("ls")
    expect(rows[0]!.supervisor).toBe("daemonless")
  })

  it("an agent record naming a process that leads no session: not the agent, never signalled", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("a", "sleep", ["600"])
    const parent = await stranger(f, "sleep 600 & wait")
    let child = 0
    await waitFor(() => {
      child = f.pids().find((p) => fs.readFileSync(`/proc/${p}/stat`, "latin1").includes(`) S ${parent} `)) ?? 0
      return child !== 0
    }, 5000)
    f.write("run/a.pid", recordOf(child))
    const row = (await f.json<ReadonlyArray<AgentRow>>("ls")).find((r) => r.id === "a")!
    expect(row.status).toBe("exited")
    expect(row.instances).toBe(0)
    for (const args of [
      ["stop", "a"],
      ["kill", "a"]
    ])
      await f.run(...args)
    expect([alive(parent), alive(child)]).toEqual([true, true])
  })

  it("one stop ends an agent and the worker it started in a session of its own", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("w", "bash", ["-c", "setsid sleep 600 & exec sleep 601"], "  stop_timeout: 1s\n")
    expect((await f.run("start", "w")).code).toBe(0)
    await waitFor(() => f.pids().length === 2, 5000)
    const [row] = await f.json<ReadonlyArray<AgentRow>>("ls")
    expect(row!.instances).toBe(1)
    const out = await f.json<ReadonlyArray<{ pids: ReadonlyArray<number> }>>("stop", "w")
    expect(out[0]!.pids.length).toBe(2)
    await waitFor(() => f.pids().length === 0, 5000)
    expect((await f.json<ReadonlyArray<AgentRow>>("ls"))[0]!.status).toBe("stopped")
    expect(fs.existsSync(path.join(f.root, "run", "w.pid"))).toBe(false)
  })
})
