import type { AgentRow } from "@agentctl/core/AgentRow"
import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { DatabaseSync } from "node:sqlite"
import { afterEach, describe, expect, it } from "vitest"
import { alive, makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * The launcher as a user runs it: `launcher start` in the background, commands through its
 * socket, SIGKILL and restart, `launcher stop`. Every process is cleaned up by pid.
 */

/** One HTTP request to the launcher, on its socket or on TCP; resolves with status and body. */
const request = (
  target: { readonly socketPath: string } | { readonly port: number; readonly token: string },
  method: string,
  route: string
) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const where =
      "socketPath" in target
        ? { socketPath: target.socketPath }
        : { host: "127.0.0.1", port: target.port, headers: { authorization: `Bearer ${target.token}` } }
    const req = http.request({ ...where, method, path: route }, (res) => {
      let body = ""
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on("error", reject).end()
  })

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

  it("keeps OpenSSL, TLS, WebSockets and SQLite unloaded until a request needs them, and its tuning to itself", async () => {
    // The launcher's RSS budget (60 MiB at 300 agents) depends on what it does not load: a preload
    // script dumps the launcher's module list on SIGUSR2.
    fleet = makeFleet()
    const f = fleet
    f.agent("a", "sleep", ["300"])
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    f.write("agentctl.yaml", `api:\n  port: ${port}\n`)
    const dump = path.join(f.root, "modules.txt")
    f.write(
      "dump-modules.cjs",
      `if (process.argv[1].endsWith("launcher.cjs")) process.on("SIGUSR2", () =>
        require("fs").writeFileSync(${JSON.stringify(dump)}, process.moduleLoadList.join("\\n")))`
    )
    // MALLOC_ARENA_MAX is the user's own: agents keep it. The launcher's other tuning is its alone.
    const env = { NODE_OPTIONS: `--require ${path.join(f.root, "dump-modules.cjs")}`, MALLOC_ARENA_MAX: "4" }
    expect((await f.runWith(env, "launcher", "start")).code).toBe(0)
    await waitFor(async () => (await f.json<ReadonlyArray<AgentRow>>("ls")).every((r) => r.status === "running"))
    const pid = (await launcherPid(f))!
    const agentPid = (await f.json<ReadonlyArray<AgentRow>>("ls"))[0]!.pid!
    const agentEnv = fs.readFileSync(`/proc/${agentPid}/environ`, "utf8").split("\0")
    expect(agentEnv).toContain("MALLOC_ARENA_MAX=4")
    expect(
      agentEnv.filter((v) => /^(MALLOC_MMAP_THRESHOLD_|UV_THREADPOOL_SIZE|AGENTCTL_LAUNCHER_TUNING)=/.test(v))
    ).toEqual([])
    const loaded = async () => {
      fs.rmSync(dump, { force: true })
      process.kill(pid, "SIGUSR2")
      await waitFor(() => fs.existsSync(dump) && fs.statSync(dump).size > 0)
      return fs
        .readFileSync(dump, "utf8")
        .split("\n")
        .filter((m) => /^NativeModule (crypto|internal\/crypto\/.*|tls|https|readline|sqlite|zlib)$/.test(m))
    }
    expect(await loaded()).toEqual([])
    // The TCP listener created the token at start; checking it needs no OpenSSL either.
    const token = fs.readFileSync(path.join(f.root, "run", "api.token"), "utf8").trim()
    expect((await request({ port, token }, "GET", "/agents/a")).status).toBe(200)
    expect((await request({ port, token: "wrong" }, "GET", "/agents/a")).status).toBe(401)
    expect(await loaded()).toEqual([])
    // The memory routes load SQLite on first use, and it works.
    fs.mkdirSync(path.join(f.root, "data", "a"), { recursive: true })
    const db = new DatabaseSync(path.join(f.root, "data", "a", "memory.db"))
    db.exec("CREATE TABLE messages (id INTEGER PRIMARY KEY, created_at INTEGER); INSERT INTO messages VALUES (1, 0);")
    db.close()
    const cleared = await request(
      { socketPath: path.join(f.root, "run", "launcher.sock") },
      "POST",
      "/agents/a/clear_memory"
    )
    expect(cleared.status).toBe(200)
    expect(JSON.parse(cleared.body)).toMatchObject({ status: "ok", messages_deleted: 1, restarted: true })
    expect(await loaded()).toEqual(["NativeModule sqlite"])
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
