import type { AgentRow } from "@agentctl/core/AgentRow"
import { oomCountFiles } from "@agentctl/core/cgroupText"
import type { AgentHistory, ExitRecord } from "@agentctl/core/ExitHistory"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { cli, makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * `agentctl history` and `status --json`'s history, as a user sees them: without a launcher
 * (the file read directly), through one, and across a launcher killed and started again.
 */

/** GET on the launcher's control socket (no token there: the file mode is the auth). */
const getOnSocket = (fleet: TestFleet, route: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const socketPath = path.join(fleet.root, "run", "launcher.sock")
    http
      .request({ socketPath, method: "GET", path: route }, (res) => {
        let body = ""
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
      })
      .on("error", reject)
      .end()
  })

/** As root on cgroup v1, our own memory cgroup, where a child with a memory limit can be made. */
const ownMemoryCgroup = (): string | null => {
  const v1 = oomCountFiles(fs.readFileSync("/proc/self/cgroup", "latin1")).find((f) =>
    f.endsWith("/memory.oom_control")
  )
  return process.getuid?.() === 0 && v1 !== undefined && fs.existsSync(v1) ? path.dirname(v1) : null
}

describe("agentctl history", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("without a launcher: a stop and a kill, newest first, as JSON and as text; -n; unknown ids", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("sleeper", "sleep", ["300"])
    expect(await f.json("history", "sleeper")).toEqual([])
    expect((await f.run("history", "sleeper")).stdout).toBe("sleeper: no exits recorded\n")
    const first = (await f.json<ReadonlyArray<{ pid: number }>>("start", "sleeper"))[0]!.pid
    expect((await f.run("stop", "sleeper")).code).toBe(0)
    const second = (await f.json<ReadonlyArray<{ pid: number }>>("start", "sleeper"))[0]!.pid
    expect((await f.run("kill", "sleeper")).code).toBe(0)
    const exits = await f.json<ReadonlyArray<ExitRecord>>("history", "sleeper")
    expect(exits.map((e) => [e.reason, e.code, e.signal, e.pid])).toEqual([
      ["killed", null, "SIGKILL", second],
      ["stopped", null, "SIGTERM", first]
    ])
    expect(exits[0]!.at).toBeGreaterThanOrEqual(exits[1]!.at)
    expect(await f.json("history", "sleeper", "-n", "1")).toEqual(exits.slice(0, 1))
    const text = (await f.run("history", "sleeper")).stdout.split("\n")
    expect(text[0]).toMatch(/^TIME\s+REASON\s+EXIT\s+UPTIME\s+PID$/)
    expect(text[1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+killed\\s+SIGKILL\\s+\\S+\\s+${second}$`))
    expect(text[2]).toMatch(/\sstopped\s+SIGTERM\s/)
    const status = await f.json<AgentRow & { history: ReadonlyArray<ExitRecord> }>("status", "sleeper")
    expect(status.history).toEqual(exits)
    expect((await f.run("status", "sleeper")).stdout).toMatch(/exits: {5}the last 2 of 2/)

    const ghost = await f.run("history", "ghost")
    expect(ghost.code).toBe(3)
    expect(ghost.stderr).toBe((await f.run("status", "ghost")).stderr)
    const bad = await f.run("history", "sleeper", "-n", "x")
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--last "x": expected a whole number of exits/)
  })

  it("a corrupt history file is named; status still shows the rest", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("sleeper", "sleep", ["300"])
    f.write("run/history/sleeper.json", "{oops")
    const history = await f.run("history", "sleeper")
    expect(history.code).not.toBe(0)
    expect(history.stderr).toMatch(/cannot parse exit history .*run\/history\/sleeper\.json/)
    const status = await f.run("status", "sleeper", "--json")
    expect(status.code).toBe(0)
    expect((JSON.parse(status.stdout) as { history: unknown }).history).toBeNull()
    expect(status.stderr).toMatch(/warning: no exit history: cannot parse exit history/)
  })

  it("through the launcher: crashes with their codes, the same over the API, and the restart count survives it", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("flaky", "bash", ["-c", "sleep 0.3; exit 3"], "  restart: on-failure\n")
    f.write(
      "agentctl.yaml",
      "restart:\n  initial_delay: 200ms\n  max_delay: 1s\n  max_failures: 3\n  failure_window: 1m\n  cooldown: never\n"
    )
    expect((await f.run("launcher", "start")).code).toBe(0)
    const ls = () => f.json<ReadonlyArray<AgentRow>>("ls")
    await waitFor(async () => (await ls())[0]?.status === "gave-up", 30_000)
    const exits = await f.json<ReadonlyArray<ExitRecord>>("history", "flaky")
    expect(exits.map((e) => [e.reason, e.code, e.signal])).toEqual([
      ["crashed", 3, null],
      ["crashed", 3, null],
      ["crashed", 3, null]
    ])
    expect(exits.map((e) => e.at)).toEqual(exits.map((e) => e.at).toSorted((a, b) => b - a))
    const api = await getOnSocket(f, "/agents/flaky/history")
    expect(api.status).toBe(200)
    expect(JSON.parse(api.body)).toEqual({ restarts: 2, exits } satisfies AgentHistory)
    expect((await getOnSocket(f, "/agents/ghost/history")).status).toBe(404)
    expect((await f.json<{ history: ReadonlyArray<ExitRecord> }>("status", "flaky")).history).toEqual(exits)

    // The next launcher carries the count on, and adds to it.
    expect((await f.run("launcher", "kill")).code).toBe(0)
    expect(JSON.parse(fs.readFileSync(path.join(f.root, "run", "history", "flaky.json"), "utf8"))).toMatchObject({
      restarts: 2
    })
    expect((await f.run("launcher", "start")).code).toBe(0)
    await waitFor(async () => (await ls())[0]?.status === "gave-up", 30_000)
    expect((await ls())[0]!.restarts).toBe(4)
    expect((await f.json<ReadonlyArray<ExitRecord>>("history", "flaky")).length).toBe(6)
    expect((await f.run("launcher", "stop")).code).toBe(0)
  })

  const memoryCgroup = ownMemoryCgroup()
  it.skipIf(memoryCgroup === null)(
    "an agent the kernel's OOM killer ends is oom (a launcher in a 300 MiB cgroup; needs root and cgroup v1)",
    async () => {
      fleet = makeFleet()
      const f = fleet
      const cgroup = path.join(memoryCgroup!, `agentctl-test-${process.pid}`)
      fs.mkdirSync(cgroup)
      try {
        fs.writeFileSync(path.join(cgroup, "memory.limit_in_bytes"), `${300 * 1024 * 1024}`)
        const grow = "setTimeout(() => { const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1)) }, 500)"
        f.agent("hog", process.execPath, ["-e", grow], "  restart: never\n")
        // The launcher starts in the cgroup, and so do the agents it starts: the agent, the
        // biggest process in it, is the one the OOM killer picks.
        const join = `echo $$ > ${cgroup}/cgroup.procs && exec "$@"`
        const started = await new Promise<number>((resolve) =>
          execFile("sh", ["-c", join, "sh", process.execPath, cli, "--root", f.root, "launcher", "start"], (error) =>
            resolve(error === null ? 0 : typeof error.code === "number" ? error.code : 1)
          )
        )
        expect(started).toBe(0)
        await waitFor(async () => (await f.json<ReadonlyArray<AgentRow>>("ls"))[0]?.status === "exited", 30_000)
        const [exit] = await f.json<ReadonlyArray<ExitRecord>>("history", "hog")
        expect(exit).toMatchObject({ reason: "oom", code: null, signal: "SIGKILL" })
        expect((await f.run("launcher", "stop")).code).toBe(0)
      } finally {
        f.cleanup()
        await waitFor(() => fs.readFileSync(path.join(cgroup, "cgroup.procs"), "utf8") === "", 10_000)
        fs.rmdirSync(cgroup)
      }
    }
  )
})
