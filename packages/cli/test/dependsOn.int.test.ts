import type { AgentRow } from "@agentctl/core/AgentRow"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * depends_on with real processes under a real launcher: a dependent starts only after its
 * dependency completed, stops before what it depends on, and a cycle is an invalid config
 * naming its members that leaves the rest of the fleet running. Every process is cleaned up
 * by pid.
 */

/** Writes its start time, and its stop time when SIGTERM comes. */
const service = [
  "-c",
  'date +%s%N > started; trap "date +%s%N > stopped; exit 0" TERM; while :; do sleep 0.1; done'
] as const

/** The shell creates the file before `date` writes it: written means not empty. */
const written = (f: TestFleet, id: string, file: string) => {
  const p = path.join(f.root, "agents", id, file)
  return fs.existsSync(p) && fs.readFileSync(p, "utf8").endsWith("\n")
}

const nanos = (f: TestFleet, id: string, file: string) =>
  BigInt(fs.readFileSync(path.join(f.root, "agents", id, file), "utf8").trim())

describe("depends_on under the launcher", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("starts after a completed dependency, stops dependents first; a cycle is reported and blocks nothing", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("migrate", "bash", ["-c", "sleep 0.5; date +%s%N > done"], "  restart: never\n")
    f.agent("db", "bash", [...service], "  stop_timeout: 3s\n")
    f.agent("api", "bash", [...service], "  stop_timeout: 3s\ndepends_on: { migrate: completed, db: started }\n")
    f.agent("ping", "bash", ["-c", "sleep 300"], "depends_on: { pong: started }\n")
    f.agent("pong", "bash", ["-c", "sleep 300"], "depends_on: { ping: started }\n")
    f.agent("solo", "sleep", ["300"])

    const invalid = await f.run("validate")
    expect(invalid.code).not.toBe(0)
    expect(invalid.stdout + invalid.stderr).toMatch(/depends_on\.pong: depends_on cycle: ping -> pong -> ping/)

    expect((await f.run("launcher", "start")).code).toBe(0)
    await waitFor(() => written(f, "api", "started"))
    expect(nanos(f, "api", "started")).toBeGreaterThanOrEqual(nanos(f, "migrate", "done"))

    const rows = await f.json<ReadonlyArray<AgentRow>>("ls")
    const status = Object.fromEntries(rows.map((r) => [r.id, r.status]))
    expect(status).toMatchObject({
      migrate: "exited",
      db: "running",
      ping: "invalid",
      pong: "invalid",
      solo: "running"
    })
    await waitFor(
      async () => (await f.json<ReadonlyArray<AgentRow>>("ls")).find((r) => r.id === "api")?.status === "running"
    )
    expect(rows.find((r) => r.id === "ping")!.reason).toMatch(/depends_on cycle: ping -> pong -> ping/)

    expect((await f.run("launcher", "stop")).code).toBe(0)
    expect(nanos(f, "api", "stopped")).toBeLessThan(nanos(f, "db", "stopped"))
    await waitFor(() => f.pids().length === 0, 10_000)
  })
})
