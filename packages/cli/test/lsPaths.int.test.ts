import { Control } from "@agentctl/core/Control"
import * as Daemonless from "@agentctl/core/Daemonless"
import { loadFleet } from "@agentctl/core/FleetLoader"
import { readUsageSync } from "@agentctl/shell/procfsSync"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { daemonlessListing, launcherListing } from "../src/fast/fastLs.ts"
import { type Listing, renderListing } from "../src/fast/renderRows.ts"
import { osLayer } from "../src/FleetLayers.ts"
import { launcherPaths } from "../src/launcher/paths.ts"
import * as LauncherControl from "../src/LauncherControl.ts"
import { makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * `ls` has two paths: the Effect-free one (fast/fastLs.ts) and the full CLI. They must print the
 * same bytes, text and --json, whatever the fleet looks like; this runs both over fixtures of
 * every kind (stale and recycled records, a record naming a non-leader, wrappers, setsid
 * workers, orphans, duplicates, invalid configs, a running launcher) at one fixed time.
 */

/** Start a process of our own, detached (its own session), with `env`; tracked for cleanup by the fleet's marker. */
const startOwn = (command: string, args: ReadonlyArray<string>, env: Record<string, string>, cwd: string) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn(command, args, {
      detached: true,
      stdio: "ignore",
      env: { PATH: process.env.PATH ?? "", ...env },
      cwd
    })
    child.once("error", reject)
    child.once("spawn", () => {
      child.unref()
      resolve(child.pid!)
    })
  })

const record = (pid: number, startTime: number | null) =>
  `${JSON.stringify({ pid, startTime, bootId: "", startedAt: Date.now() })}\n`

const fullDaemonless = (root: string, now: number) =>
  Effect.runPromise(
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      return yield* Daemonless.list()
    }).pipe(Effect.provide(Layer.mergeAll(osLayer(root), TestClock.layer())))
  )

const fullLauncher = (root: string) =>
  Effect.runPromise(
    Control.use((c) => c.list).pipe(Effect.provide(LauncherControl.layer(root).pipe(Layer.provideMerge(osLayer(root)))))
  )

const expectSameOutput = (fast: Listing | null, full: Listing) => {
  expect(fast, "the fast path gave up").not.toBeNull()
  for (const json of [false, true]) expect(renderListing(fast!, json)).toBe(renderListing(full, json))
}

describe("ls: the fast path and the full path print the same bytes", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("over a daemonless fleet with every kind of agent", async () => {
    fleet = makeFleet()
    const f = fleet
    const marker = (agent: string) => ({ AGENTCTL_FLEET: f.root, AGENTCTL_AGENT: agent })
    f.agent("plain", "sleep", ["600"])
    f.agent("wrapper", "bash", ["-c", "sleep 600; true"])
    f.agent("worker", "bash", ["-c", "setsid sleep 600 & exec sleep 601"])
    f.agent("orphan", "bash", ["-c", "setsid sleep 600 & exit 0"])
    f.agent("dup", "sleep", ["600"])
    f.agent("stale", "sleep", ["600"])
    f.agent("recycled", "sleep", ["600"])
    f.agent("nonleader", "sleep", ["600"])
    f.agent("off", "sleep", ["600"], "", false)
    f.write("agents/broken/config.yaml", "agent: [not, a, mapping\n")
    f.write("agents/twin1/config.yaml", "agent:\n  id: twin\nrun:\n  command: sleep\n")
    f.write("agents/twin2/config.yaml", "agent:\n  id: twin\nrun:\n  command: sleep\n")
    expect((await f.run("start", "plain", "wrapper", "worker", "orphan", "dup")).code).toBe(0)
    // A second copy of dup, started by hand with its marker.
    await startOwn("sleep", ["600"], marker("dup"), path.join(f.root, "agents", "dup"))
    const run = path.join(f.root, "run")
    // stale: a record of a process that has exited.
    const gone = await startOwn("true", [], {}, f.root)
    await waitFor(() => readUsageSync(gone, Date.now()) === null, 5000)
    fs.writeFileSync(path.join(run, "stale.pid"), record(gone, 1))
    // recycled: a live process of ours, recorded with another start time.
    const stranger = await startOwn("sleep", ["600"], {}, f.root)
    fs.writeFileSync(path.join(run, "recycled.pid"), record(stranger, 1))
    // nonleader: a live process with its true start time, but it leads no session.
    const parent = await startOwn("bash", ["-c", "sleep 600 & wait"], {}, f.root)
    let child = 0
    await waitFor(() => {
      child = f.pids().find((p) => fs.readFileSync(`/proc/${p}/stat`, "latin1").includes(`) S ${parent} `)) ?? 0
      return child !== 0
    }, 5000)
    fs.writeFileSync(path.join(run, "nonleader.pid"), record(child, readUsageSync(child, Date.now())!.startTime))
    await waitFor(async () => (await f.json<ReadonlyArray<{ id: string; instances: number }>>("ls")).length > 0)
    // Drift: plain's config gains a variable, wrapper's folder a .env, the fleet .env a secret.
    f.agent("plain", "sleep", ["600"], "  env: { ADDED: yes }\n")
    f.write("agents/wrapper/.env", "COLOR=blue\n")
    f.write(".env", "API_TOKEN=s3cret\n")
    // The cache the fast path reads, written by this code (a bundle's cache is for that build
    // only): a fleet load through the OS layers' FleetCache writes it on a miss.
    await Effect.runPromise(loadFleet().pipe(Effect.provide(osLayer(f.root))))
    const now = Date.now()
    const fast = daemonlessListing(f.root, now)
    const full = { rows: await fullDaemonless(f.root, now), supervisor: "daemonless" as const, launcherPid: null }
    expectSameOutput(fast, full)
    const row = (id: string) => full.rows.find((r) => r.id === id)!
    // The fixtures are what they claim to be.
    expect(row("worker").instances).toBe(1)
    expect(row("dup").instances).toBe(2)
    expect(row("stale").status).toBe("exited")
    expect(row("recycled").detail).toMatchObject({ _tag: "Exited", recycled: true })
    expect(row("nonleader").detail).toMatchObject({ _tag: "Exited", recycled: true })
    expect(full.rows.filter((r) => r.status === "invalid").length).toBe(3)
    expect(row("plain").drift?.map((c) => (c._tag === "Env" ? `${c.change} ${c.key}` : c._tag))).toEqual([
      "added ADDED",
      "added API_TOKEN"
    ])
    expect(row("wrapper").drift?.map((c) => (c._tag === "Env" ? `${c.change} ${c.key} ${c.source}` : c._tag))).toEqual([
      "added API_TOKEN fleet .env",
      "added COLOR agent .env"
    ])
  })

  it("over a fleet a launcher supervises", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("plain", "sleep", ["600"], "  restart: always\n")
    f.agent("worker", "bash", ["-c", "setsid sleep 600 & exec sleep 601"], "  restart: always\n")
    f.agent("off", "sleep", ["600"], "", false)
    f.write("agents/broken/config.yaml", "agent: [not, a, mapping\n")
    expect((await f.run("launcher", "start")).code).toBe(0)
    await waitFor(async () => {
      const rows = await f.json<ReadonlyArray<{ id: string; status: string }>>("ls")
      return rows.filter((r) => r.status === "running").length === 2
    })
    const launcher = await f.json<{ pid: number }>("launcher", "status")
    const { socket } = launcherPaths(f.root)
    // The launcher reuses a listing within its second: take both in one second (a few tries).
    let same = false
    for (let attempt = 0; attempt < 5 && !same; attempt++) {
      const fast = await launcherListing(socket, launcher.pid)
      const full = { rows: await fullLauncher(f.root), supervisor: "launcher" as const, launcherPid: launcher.pid }
      same = fast !== null && [false, true].every((json) => renderListing(fast, json) === renderListing(full, json))
      if (!same && attempt === 4) expectSameOutput(fast, full)
    }
    expect(same).toBe(true)
    expect((await f.run("launcher", "stop")).code).toBe(0)
  })
})
