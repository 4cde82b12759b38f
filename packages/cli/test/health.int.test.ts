import type { AgentRow } from "@agentctl/core/AgentRow"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * Probes as a user meets them: `agentctl check` with and without a launcher, and a launcher
 * restarting an agent whose liveness probe starts failing. Every process is cleaned up by pid.
 */

interface CheckJson {
  readonly id: string
  readonly ok: boolean
  readonly status: string
  readonly probes: ReadonlyArray<{
    readonly kind: string
    readonly check: string
    readonly result: {
      readonly ok: boolean
      readonly at: number
      readonly ms: number
      readonly output: string
      readonly error: string | null
    }
  }>
}

const liveness = "health:\n  liveness: { exec: [test, -f, alive], period: 1s, failure_threshold: 2 }\n"

describe("probes", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("check <id> without a launcher: exit 0 when every probe passes, 1 when one fails, and its --json", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent(
      "web",
      "sleep",
      ["300"],
      `${liveness}  readiness: { exec: [sh, -c, "echo warm; test -f ready"], period: 1s }\n`
    )
    f.write("agents/web/alive", "")
    f.write("agents/web/ready", "")
    f.agent("broken", "sleep", ["300"], "health:\n  liveness: { exec: [no-such-probe-binary] }\n")
    expect((await f.run("start", "web")).code).toBe(0)

    const passing = await f.run("check", "web")
    expect(passing.code).toBe(0)
    expect(passing.stdout).toMatch(/^pass +liveness +exec test -f alive: exit code 0 \(\d+ms\)$/m)
    expect(passing.stdout).toMatch(/^pass +readiness +exec sh -c echo warm; test -f ready: exit code 0: warm/m)

    const json = await f.json<CheckJson>("check", "web")
    expect(Object.keys(json).toSorted()).toEqual(["id", "ok", "probes", "status"])
    expect(json).toMatchObject({ id: "web", ok: true, status: "running" })
    expect(json.probes.map((p) => [p.kind, p.check])).toEqual([
      ["liveness", "exec test -f alive"],
      ["readiness", "exec sh -c echo warm; test -f ready"]
    ])
    for (const { result } of json.probes) {
      expect(Object.keys(result).toSorted()).toEqual(["at", "error", "ms", "ok", "output"])
      expect(result).toMatchObject({ ok: true, error: null })
      expect(result.ms).toBeGreaterThanOrEqual(0)
      expect(result.at).toBeGreaterThan(0)
    }

    fs.rmSync(path.join(f.root, "agents", "web", "ready"))
    const failing = await f.run("check", "web", "--json")
    expect(failing.code).toBe(1)
    const failed = JSON.parse(failing.stdout) as CheckJson
    expect(failed.ok).toBe(false)
    expect(failed.probes.map((p) => [p.kind, p.result.ok, p.result.output])).toEqual([
      ["liveness", true, "exit code 0"],
      ["readiness", false, "exit code 1: warm"]
    ])
    expect((await f.run("check", "web")).stdout).toMatch(/^fail +readiness .*: exit code 1: warm/m)

    // A probe that cannot run is an error, said as such, and the check fails.
    const cannot = await f.run("check", "broken", "--json")
    expect(cannot.code).toBe(1)
    const [probe] = (JSON.parse(cannot.stdout) as CheckJson).probes
    expect(probe!.result.ok).toBe(false)
    expect(probe!.result.error).toMatch(/could not run "no-such-probe-binary": ENOENT/)
    expect((await f.run("check", "broken")).stdout).toMatch(
      /^error liveness +exec no-such-probe-binary: could not run/m
    )
  })

  it("under a launcher: ready while its liveness probe passes, restarted (a new pid) when it fails", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("web", "sleep", ["300"], `  restart: always\n${liveness}`)
    f.write("agents/web/alive", "")
    f.write("agentctl.yaml", "restart:\n  initial_delay: 200ms\n  max_delay: 1s\n")
    expect((await f.run("launcher", "start")).code).toBe(0)
    const web = async () => (await f.json<ReadonlyArray<AgentRow>>("ls")).find((r) => r.id === "web")!
    await waitFor(async () => {
      const row = await web()
      return row.status === "running" && row.health === "ready"
    }, 30_000)
    const before = await web()
    expect(before.supervisor).toBe("launcher")
    expect((await f.run("check", "web")).code).toBe(0)

    fs.rmSync(path.join(f.root, "agents", "web", "alive"))
    await waitFor(async () => {
      const row = await web()
      return row.status === "running" && row.pid !== null && row.pid !== before.pid
    }, 30_000)
    expect((await web()).restarts).toBeGreaterThanOrEqual(1)
    const events = fs
      .readFileSync(path.join(f.root, "run", "launcher.log"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith('{"seq"'))
      .map((l) => JSON.parse(l) as { id: string; health: string | null; message: string })
      .filter((e) => e.id === "web")
    expect(events.some((e) => e.health === "unhealthy")).toBe(true)
    expect((await f.run("check", "web")).code).toBe(1)

    // Healthy again: the instance the launcher runs now comes back to ready.
    f.write("agents/web/alive", "")
    await waitFor(async () => {
      const row = await web()
      return row.status === "running" && row.health === "ready"
    }, 30_000)
    expect((await f.run("launcher", "stop")).code).toBe(0)
    await waitFor(() => f.pids().length === 0, 20_000)
  })

  it("under a launcher: an agent whose /healthz starts failing is restarted, and one that recovers is ready", async () => {
    // The launcher runs V8 in lite mode, without WebAssembly: an http probe must work there too.
    let healthy = true
    const server = http.createServer((_, res) => res.writeHead(healthy ? 200 : 503).end(healthy ? "ok" : "sick"))
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      fleet = makeFleet()
      const f = fleet
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`
      f.agent(
        "api",
        "sleep",
        ["300"],
        `  restart: always\nhealth:\n  liveness: { http: "${url}", period: 1s, failure_threshold: 2 }\n`
      )
      f.write("agentctl.yaml", "restart:\n  initial_delay: 200ms\n  max_delay: 1s\n")
      expect((await f.run("launcher", "start")).code).toBe(0)
      const api = async () => (await f.json<ReadonlyArray<AgentRow>>("ls")).find((r) => r.id === "api")!
      await waitFor(async () => {
        const row = await api()
        return row.status === "running" && row.health === "ready"
      }, 30_000)
      const before = await api()
      expect(before.probes[0]?.last).toMatchObject({ ok: true, output: "HTTP 200: ok", error: null })

      healthy = false
      await waitFor(async () => {
        const row = await api()
        return row.status === "running" && row.pid !== null && row.pid !== before.pid
      }, 30_000)
      healthy = true
      await waitFor(async () => {
        const row = await api()
        return row.status === "running" && row.health === "ready"
      }, 30_000)
      expect((await api()).restarts).toBeGreaterThanOrEqual(1)
      expect((await f.run("launcher", "stop")).code).toBe(0)
      await waitFor(() => f.pids().length === 0, 20_000)
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})
