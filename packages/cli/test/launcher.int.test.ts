import type { AgentRow } from "@agentctl/core/AgentRow"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { alive, makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * The launcher as a user runs it: `launcher start` in the background, commands through its
 * socket, SIGKILL and restart, `launcher stop`. Every process is cleaned up by pid.
 */

const launcherPid = async (fleet: TestFleet): Promise<number | null> =>
  (await fleet.json<{ pid: number | null }>("launcher", "status")).pid

describe("launcher", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("restarts a crashed agent, backs off, and never runs twice", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("steady", "sleep", ["300"], "  restart: always\n")
    f.agent("flaky", "bash", ["-c", "sleep 0.2; exit 3"], "  restart: on-failure\n")
    f.write(
      "agentctl.yaml",
      "restart:\n  initial_delay: 200ms\n  max_delay: 1s\n  max_failures: 3\n  failure_window: 1m\n"
    )
    const started = await f.run("launcher", "start")
    expect(started.code).toBe(0)
    expect(started.stdout).toMatch(/launcher started \(pid \d+\)/)
    const second = await f.run("launcher", "start")
    expect(second.code).not.toBe(0)
    expect(second.stderr).toMatch(/already supervises .* \(pid \d+\)/)
    const ls = () => f.json<ReadonlyArray<AgentRow & { supervisor: string }>>("ls")
    await waitFor(async () => (await ls()).find((r) => r.id === "flaky")?.status === "gave-up", 30_000)
    const flaky = (await ls()).find((r) => r.id === "flaky")!
    expect(flaky.supervisor).toBe("launcher")
    expect(flaky.restarts).toBe(2)
    expect(flaky.reason).toMatch(/gave up after 3 failures .*exit code 3/)
    const log = fs.readFileSync(path.join(f.root, "run", "launcher.log"), "utf8")
    const events = log
      .split("\n")
      .filter((l) => l.startsWith('{"seq"'))
      .map((l) => JSON.parse(l) as { id: string; status: string })
    expect(events.filter((e) => e.id === "flaky").map((e) => e.status)).toContain("backoff")
    // A manual start clears the give-up.
    f.agent("flaky", "sleep", ["300"], "  restart: on-failure\n")
    expect((await f.run("reload")).code).toBe(0)
    const restarted = await f.run("start", "flaky")
    expect(restarted.stdout).toMatch(/started flaky|already running/)
    await waitFor(async () => (await ls()).find((r) => r.id === "flaky")?.status === "running")
  })

  it("survives five SIGKILLs of the launcher: agents are adopted, never duplicated or restarted", async () => {
    fleet = makeFleet()
    const f = fleet
    for (const id of ["k1", "k2", "k3"]) f.agent(id, "sleep", ["300"], "  restart: always\n")
    expect((await f.run("launcher", "start")).code).toBe(0)
    await waitFor(async () => (await f.json<ReadonlyArray<AgentRow>>("ls")).every((r) => r.status === "running"))
    const before = (await f.json<ReadonlyArray<AgentRow>>("ls")).map((r) => r.pid)
    for (let round = 0; round < 5; round++) {
      const pid = await launcherPid(f)
      expect((await f.run("launcher", "kill")).code).toBe(0)
      expect(alive(pid!)).toBe(false)
      for (const p of before) expect(alive(p!)).toBe(true)
      expect((await f.run("launcher", "start")).code).toBe(0)
    }
    const after = await f.json<ReadonlyArray<AgentRow>>("ls")
    expect(after.map((r) => r.pid)).toEqual(before)
    expect(after.every((r) => r.instances === 1 && r.supervisor === "launcher")).toBe(true)
    const stop = await f.run("launcher", "stop")
    expect(stop.code).toBe(0)
    await waitFor(() => f.pids().length === 0, 10_000)
    for (const p of before) expect(alive(p!)).toBe(false)
  })

  it("stop and start of one agent through the launcher leave the others alone", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("a", "sleep", ["300"])
    f.agent("b", "sleep", ["300"])
    expect((await f.run("launcher", "start")).code).toBe(0)
    await waitFor(async () => (await f.json<ReadonlyArray<AgentRow>>("ls")).every((r) => r.status === "running"))
    const b = (await f.json<ReadonlyArray<AgentRow>>("ls")).find((r) => r.id === "b")!.pid
    expect((await f.run("stop", "a")).stdout).toMatch(/stopped a/)
    expect((await f.run("stop", "a")).stdout).toMatch(/not running/)
    const rows = await f.json<ReadonlyArray<AgentRow>>("ls")
    expect(rows.find((r) => r.id === "a")!.status).toBe("stopped")
    expect(rows.find((r) => r.id === "b")!.pid).toBe(b)
    expect((await f.run("start", "a")).stdout).toMatch(/started a/)
    expect((await f.run("launcher", "stop")).code).toBe(0)
    await waitFor(() => f.pids().length === 0, 10_000)
  })

  it("SIGHUP reloads: a new agent starts, a disabled one stops; stats read /proc", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("keep", "sleep", ["300"])
    f.agent("drop", "sleep", ["300"])
    expect((await f.run("launcher", "start")).code).toBe(0)
    const ls = () => f.json<ReadonlyArray<AgentRow>>("ls")
    await waitFor(async () => (await ls()).every((r) => r.status === "running"))
    const keep = (await ls()).find((r) => r.id === "keep")!.pid
    f.agent("fresh", "sleep", ["300"])
    f.agent("drop", "sleep", ["300"], "", false)
    process.kill((await launcherPid(f))!, "SIGHUP")
    await waitFor(async () => {
      const rows = await ls()
      return (
        rows.find((r) => r.id === "fresh")?.status === "running" &&
        rows.find((r) => r.id === "drop")?.status === "disabled"
      )
    })
    expect((await ls()).find((r) => r.id === "keep")!.pid).toBe(keep)
    const log = fs.readFileSync(path.join(f.root, "run", "launcher.log"), "utf8")
    expect(log).toMatch(/"event":"reloaded".*"started":\["fresh"\].*"stopped":\["drop"\]/)
    const stats = await f.json<ReadonlyArray<{ id: string; rssBytes: number | null; processes: number }>>(
      "stats",
      "keep"
    )
    expect(stats[0]!.processes).toBe(1)
    expect(stats[0]!.rssBytes).toBeGreaterThan(0)
    expect((await f.run("launcher", "stop")).code).toBe(0)
    await waitFor(() => f.pids().length === 0, 10_000)
  })
})
