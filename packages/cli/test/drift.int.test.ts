import type { AgentRow } from "@agentctl/core/AgentRow"
import type { AgentDiff, ApplyOutcome } from "@agentctl/core/Outcomes"
import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type Api, request, startLauncher } from "./apiHarness.ts"
import { makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * Drift and apply as a user meets them, in both modes: edit a config's env, an agent's .env and
 * (only) a comment of a third config; `ls` marks exactly the first two, `diff` says what changed
 * (a secret only as changed), and `apply` restarts exactly those two: the third keeps its pid.
 */

const post = (api: Api, route: string, body: unknown) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const text = JSON.stringify(body)
    const req = http.request(
      {
        host: "127.0.0.1",
        port: api.port,
        method: "POST",
        path: route,
        headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json" }
      },
      (res) => {
        let data = ""
        res.setEncoding("utf8").on("data", (c: string) => (data += c))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data }))
      }
    )
    req.on("error", reject).end(text)
  })

const setUp = (f: TestFleet) => {
  f.agent("da", "sleep", ["600"], "  env: { MODE: one, API_TOKEN: first }\n  restart: always\n")
  f.agent("db", "sleep", ["601"], "  restart: always\n")
  f.agent("dc", "sleep", ["602"], "  restart: always\n")
  f.write("agents/db/.env", "COLOR=red\n")
}

const edit = (f: TestFleet) => {
  const da = path.join(f.root, "agents/da/config.yaml")
  fs.writeFileSync(da, fs.readFileSync(da, "utf8").replace("MODE: one", "MODE: two").replace("first", "second"))
  f.write("agents/db/.env", "COLOR=blue\n")
  const dc = path.join(f.root, "agents/dc/config.yaml")
  fs.writeFileSync(dc, `# a comment that changes nothing\n${fs.readFileSync(dc, "utf8")}`)
}

const rowsOf = async (f: TestFleet) => {
  const rows = await f.json<ReadonlyArray<AgentRow>>("ls")
  return new Map(rows.map((r) => [r.id!, r]))
}

const checkDrift = async (f: TestFleet) => {
  const rows = await rowsOf(f)
  expect([rows.get("da")?.drift !== null, rows.get("db")?.drift !== null, rows.get("dc")?.drift]).toEqual([
    true,
    true,
    null
  ])
  const diffs = await f.json<ReadonlyArray<AgentDiff>>("diff")
  expect(diffs.map((d) => [d.id, d.summary])).toEqual([
    ["da", "env: ~API_TOKEN (value changed), ~MODE (value changed)"],
    ["db", "env: ~COLOR (value changed); agent .env changed"]
  ])
  const text = (await f.run("diff", "da")).stdout
  expect(text).toContain('env ~MODE "one" → "two" [run.env]')
  expect(text).toContain("env ~API_TOKEN (secret: value not shown)")
  expect(text).not.toMatch(/first|second/)
  expect((await f.run("ls")).stdout).toContain("da: drifted: env: ~API_TOKEN (value changed), ~MODE (value changed)")
  return rows
}

describe("drift and apply", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("without a launcher: ls and diff show exactly the edited agents; apply restarts exactly those", async () => {
    fleet = makeFleet()
    const f = fleet
    setUp(f)
    expect((await f.run("start", "--all")).code).toBe(0)
    const before = await rowsOf(f)
    expect([...before.values()].map((r) => r.drift)).toEqual([null, null, null])
    edit(f)
    await checkDrift(f)
    const dry = await f.json<ReadonlyArray<ApplyOutcome>>("apply", "--dry-run")
    expect(dry.map((o) => [o.id, o.action, o.result])).toEqual([
      ["da", "restart", "planned"],
      ["db", "restart", "planned"],
      ["dc", "none", "planned"]
    ])
    expect((await rowsOf(f)).get("da")?.pid).toBe(before.get("da")?.pid)
    const applied = await f.run("apply")
    expect(applied.code).toBe(0)
    expect(applied.stdout).toMatch(/^da: restarted \(pid \d+\) \(drifted: env: /m)
    const after = await rowsOf(f)
    expect(after.get("da")?.pid).not.toBe(before.get("da")?.pid)
    expect(after.get("db")?.pid).not.toBe(before.get("db")?.pid)
    expect(after.get("dc")?.pid).toBe(before.get("dc")?.pid)
    expect([...after.values()].map((r) => [r.status, r.drift])).toEqual([
      ["running", null],
      ["running", null],
      ["running", null]
    ])
    // A stopped agent is not started again by apply (a stop is a decision).
    expect((await f.run("stop", "dc")).code).toBe(0)
    const again = await f.json<ReadonlyArray<ApplyOutcome>>("apply")
    expect(again.find((o) => o.id === "dc")).toMatchObject({ action: "none" })
    // An agent whose config is deleted while it runs is found by its pid record and stopped.
    const daPid = after.get("da")!.pid!
    fs.rmSync(path.join(f.root, "agents", "da"), { recursive: true })
    const removed = await f.json<ReadonlyArray<ApplyOutcome>>("apply", "--dry-run")
    expect(removed.find((o) => o.id === "da")).toMatchObject({ action: "stop", reason: "config file removed" })
    expect((await f.run("apply")).stdout).toMatch(/^da: stopped \(config file removed\)$/m)
    await waitFor(() => !f.pids().includes(daPid), 10_000)
    expect((await f.run("kill", "--all")).code).toBe(0)
  }, 60_000)

  it("through the launcher and its API: the same, and POST /apply with dry_run plans without acting", async () => {
    fleet = makeFleet()
    const f = fleet
    setUp(f)
    const api = await startLauncher(f)
    await waitFor(async () => [...(await rowsOf(f)).values()].every((r) => r.status === "running"))
    const before = await rowsOf(f)
    edit(f)
    await checkDrift(f)
    const diff = await request(api, "GET", "/agents/db/diff", { "cache-control": "no-cache" })
    expect(diff.status).toBe(200)
    expect((JSON.parse(diff.body) as AgentDiff).lines).toEqual(['env ~COLOR "red" → "blue" [agent .env]'])
    const dry = await post(api, "/apply", { dry_run: true })
    expect(dry.status).toBe(200)
    expect((JSON.parse(dry.body) as ReadonlyArray<ApplyOutcome>).map((o) => [o.id, o.action])).toEqual([
      ["da", "restart"],
      ["db", "restart"],
      ["dc", "none"]
    ])
    expect((await post(api, "/apply", { ids: ["../x"] })).status).toBe(400)
    const applied = await post(api, "/apply", { parallel: 1 })
    expect(applied.status).toBe(200)
    const after = await rowsOf(f)
    expect(after.get("da")?.pid).not.toBe(before.get("da")?.pid)
    expect(after.get("db")?.pid).not.toBe(before.get("db")?.pid)
    expect(after.get("dc")?.pid).toBe(before.get("dc")?.pid)
    expect([...after.values()].map((r) => r.drift)).toEqual([null, null, null])
    expect((await f.run("launcher", "stop")).code).toBe(0)
  }, 60_000)

  it("validate warns of a run.env key that shadows a .env line and of a command that is not there", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("wa", "./missing.sh", [], "  env: { COLOR: green }\n")
    f.agent("wb", "no-such-command-anywhere", [])
    f.write("agents/wa/.env", "COLOR=red\n")
    const out = await f.run("validate")
    expect(out.code).toBe(0)
    expect(out.stdout).toContain(
      `warning  wa: run.env.COLOR overrides COLOR from ${path.join(f.root, "agents/wa/.env")}`
    )
    expect(out.stdout).toContain(
      `warning  wa: run.command ./missing.sh: ${path.join(f.root, "agents/wa/missing.sh")} does not exist`
    )
    expect(out.stdout).toContain("warning  wb: run.command no-such-command-anywhere: not found on PATH")
  })
})
