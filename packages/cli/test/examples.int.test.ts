import type { AgentRow } from "@agentctl/core/AgentRow"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * The bundled example fleet, as `pnpm example` starts it, in a temp copy: every agent meant to
 * run comes up and stays up (one of them once started in the wrong module system and crashed in
 * a loop, which no other test noticed). `crasher` crashes by design and `broken` is invalid by
 * design; `sleeper` is disabled.
 */

const examples = path.resolve(import.meta.dirname, "..", "..", "..", "examples")
const meantToRun = ["greeter", "heartbeat", "indexer", "store", "stubborn", "wedged"]

interface ExitJson {
  readonly reason: string
}

describe("the example fleet", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("runs under the launcher: each agent meant to run is running, with no exit", async () => {
    fleet = makeFleet()
    const f = fleet
    fs.cpSync(path.join(examples, "agents"), path.join(f.root, "agents"), { recursive: true })
    fs.copyFileSync(path.join(examples, ".env"), path.join(f.root, ".env"))
    // The repo's package scope: its scripts are ES modules, as in a checkout. A free port: the
    // example's own 7717 may be a user's running example fleet.
    f.write("package.json", JSON.stringify({ type: "module" }))
    const settings = fs.readFileSync(path.join(examples, "agentctl.yaml"), "utf8")
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    f.write("agentctl.yaml", settings.replace(/^ {2}port: 7717$/m, `  port: ${port}`).replace(/^build:.*$/m, ""))
    expect((await f.run("launcher", "start")).code).toBe(0)
    const row = async (id: string) => (await f.json<ReadonlyArray<AgentRow>>("ls")).find((r) => r.id === id)
    // The indexer starts once the store is ready (its log line, ~2 s in).
    await waitFor(async () => (await row("indexer"))?.status === "running", 30_000)
    // Long enough for a script that fails at once to have crashed, and for the probes to run.
    await new Promise((r) => setTimeout(r, 3000))
    const rows = await f.json<ReadonlyArray<AgentRow>>("ls")
    for (const id of meantToRun) {
      const r = rows.find((x) => x.id === id)
      expect([id, r?.status, r?.restarts]).toEqual([id, "running", 0])
      expect([id, await f.json<ReadonlyArray<ExitJson>>("history", id)]).toEqual([id, []])
    }
    expect(rows.find((x) => x.id === "store")?.health).toBe("ready")
    expect((await f.run("launcher", "stop")).code).toBe(0)
    await waitFor(() => f.pids().length === 0, 15_000)
  }, 60_000)

  it("the seed-style fleet (the Go manager's layout, run by defaults:) starts daemonless, each agent as bin/launcher -c <its config>", async () => {
    fleet = makeFleet()
    const f = fleet
    fs.cpSync(path.join(examples, "seed-fleet"), f.root, { recursive: true })
    fs.rmSync(path.join(f.root, "run"), { recursive: true, force: true })
    expect((await f.run("validate")).code).toBe(0)
    expect((await f.run("start", "--all")).code).toBe(0)
    for (const id of ["herald", "scribe", "watcher"]) {
      await waitFor(async () => (await f.run("logs", id, "-n", "5")).stdout.includes("beat 1"), 15_000)
      const { stdout } = await f.run("logs", id, "-n", "5")
      expect(stdout).toContain(`runtime up with ${path.join(f.root, "agents", id, "config.yaml")}`)
      expect(stdout).toContain("GREETING=hello from the fleet .env")
    }
    const rows = await f.json<ReadonlyArray<AgentRow>>("ls")
    expect(rows.map((r) => [r.id, r.status, r.drift])).toEqual([
      ["herald", "running", null],
      ["scribe", "running", null],
      ["watcher", "running", null]
    ])
    expect((await f.run("stop", "--all")).code).toBe(0)
    await waitFor(() => f.pids().length === 0, 15_000)
  }, 60_000)
})
