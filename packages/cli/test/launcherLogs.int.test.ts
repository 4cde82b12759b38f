/**
 * The agents' logs under a real launcher: nothing lost through rotations and a launcher SIGKILL
 * while an agent writes as fast as it can, the fleet budget held while agents write, the
 * launcher's own log bounded, and what agents wrote without a launcher taken over.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { alive, makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

interface Row {
  readonly id: string
  readonly pid: number | null
  readonly status: string
}

let fleet: TestFleet | null = null
afterEach(() => {
  fleet?.cleanup()
  fleet = null
})

const duBytes = (dir: string): number =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return sum + duBytes(p)
    try {
      return sum + fs.lstatSync(p).size
    } catch {
      // Removed between readdir and lstat (a rotation, an eviction).
      return sum
    }
  }, 0)

const pidOf = async (f: TestFleet, id: string) =>
  (await f.json<ReadonlyArray<Row>>("ls")).find((r) => r.id === id)?.pid ?? null

/** The numbers of `n <k>` lines in `logs <id> -n <all>`, checking that nothing else is there. */
const numbers = async (f: TestFleet, id: string, total: number) => {
  const out = await f.run("logs", id, "-n", String(total + 1000))
  expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: "" })
  const lines = out.stdout.split("\n").filter((l) => l !== "")
  const bad = lines.filter((l) => !/^n \d+$/.test(l))
  expect(bad.slice(0, 3)).toEqual([])
  return lines.map((l) => Number(l.slice(2)))
}

describe("agent logs under the launcher", () => {
  it("loses nothing through dozens of rotations and a launcher SIGKILL mid-stream", async () => {
    fleet = makeFleet()
    const f = fleet
    const total = 300_000
    f.write("agentctl.yaml", "logs: { max_size: 128KiB, keep: 1000, max_total: 1GiB, compress: true }\n")
    f.agent("fast", "bash", ["-c", `seq -f "n %.0f" 1 ${total}; exec sleep 300`], "  restart: never\n")
    expect((await f.run("launcher", "start")).code).toBe(0)
    await waitFor(async () => (await f.run("logs", "fast", "-n", "1")).stdout.startsWith("n "))
    const pid = await pidOf(f, "fast")
    expect((await f.run("launcher", "kill")).code).toBe(0)
    // No reader: the agent blocks on its full pipe; it does not die of SIGPIPE.
    await new Promise((r) => setTimeout(r, 500))
    expect(alive(pid!)).toBe(true)
    // And without a launcher, ls says that its output waits for one.
    const waiting = (await f.json<ReadonlyArray<{ id: string; logs: { warning: string | null } }>>("ls"))[0]!
    expect(waiting.logs.warning).toMatch(/stdout\.fifo, which only a launcher drains/)
    expect((await f.run("launcher", "start")).code).toBe(0)
    await waitFor(async () => (await f.run("logs", "fast", "-n", "1")).stdout === `n ${total}\n`, 60_000)
    const got = await numbers(f, "fast", total)
    expect(got.length).toBe(total)
    expect(got.every((n, i) => n === i + 1)).toBe(true)
    expect(await pidOf(f, "fast")).toBe(pid)
    const files = fs.readdirSync(path.join(f.root, "run", "logs", "fast"))
    expect(files.filter((n) => n.endsWith(".log.gz")).length).toBeGreaterThan(10)
    expect((await f.run("launcher", "stop")).code).toBe(0)
  })

  it("holds run/ within max_total + one max_size while agents write, and never restarts them for it", async () => {
    fleet = makeFleet()
    const f = fleet
    f.write("agentctl.yaml", "logs: { max_size: 256KiB, keep: 3, max_total: 2MiB, min_keep: 32KiB, compress: false }\n")
    for (const id of ["w1", "w2", "w3"])
      f.agent(id, "bash", [
        "-c",
        `while :; do seq -f "${id} %.0f ........................................" 1 2000; sleep 0.02; done`
      ])
    expect((await f.run("launcher", "start")).code).toBe(0)
    await waitFor(async () => (await f.json<ReadonlyArray<Row>>("ls")).every((r) => r.status === "running"))
    const before = (await f.json<ReadonlyArray<Row>>("ls")).map((r) => r.pid)
    let peak = 0
    for (let i = 0; i < 30; i++) {
      peak = Math.max(peak, duBytes(path.join(f.root, "run")))
      await new Promise((r) => setTimeout(r, 100))
    }
    // The launcher's own log and records under run/ are inside this too.
    expect(peak).toBeLessThanOrEqual(2 * 1024 * 1024 + 256 * 1024 + 128 * 1024)
    expect((await f.json<ReadonlyArray<Row>>("ls")).map((r) => r.pid)).toEqual(before)
    const tail = await f.run("logs", "w2", "-n", "3")
    expect(tail.stdout.split("\n").filter((l) => l.startsWith("w2 ")).length).toBe(3)
    expect((await f.run("launcher", "stop")).code).toBe(0)
  })

  it("bounds the launcher's own log: a crash-looping agent rotates it at max_size", async () => {
    fleet = makeFleet()
    const f = fleet
    f.write(
      "agentctl.yaml",
      "logs: { max_size: 8KiB, keep: 2 }\nrestart: { initial_delay: 10ms, max_delay: 20ms, max_failures: 100000 }\n"
    )
    f.agent("crash", "bash", ["-c", "exit 3"], "  restart: always\n")
    expect((await f.run("launcher", "start")).code).toBe(0)
    const log = path.join(f.root, "run", "launcher.log")
    await waitFor(() => fs.existsSync(`${log}.2`), 30_000)
    expect(fs.statSync(log).size).toBeLessThan(8 * 1024 + 4096)
    expect(fs.existsSync(`${log}.3`)).toBe(false)
    expect((await f.run("launcher", "stop")).code).toBe(0)
  })

  it("takes over what an agent wrote without a launcher, and keeps its stdout lines as written", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("early", "bash", ["-c", 'echo "before the launcher"; exec sleep 300'])
    expect((await f.run("start", "early")).code).toBe(0)
    const raw = path.join(f.root, "run", "early.log")
    await waitFor(() => fs.existsSync(raw) && fs.readFileSync(raw, "utf8").includes("before the launcher"))
    expect((await f.run("launcher", "start")).code).toBe(0)
    expect(fs.statSync(raw).size).toBe(0)
    const out = await f.run("logs", "early", "-n", "5")
    expect(out.stdout.split("\n")).toContain("before the launcher")
    expect((await f.run("launcher", "stop")).code).toBe(0)
  })

  it("without a launcher: ls warns of a raw log over max_size, logs --rotate brings it under, --du shows the budget", async () => {
    fleet = makeFleet()
    const f = fleet
    f.write("agentctl.yaml", "logs: { max_size: 8KiB, keep: 2, max_total: 1MiB, compress: false }\n")
    f.agent("chatty", "bash", ["-c", 'seq -f "line %.0f" 1 5000; exec sleep 300'])
    expect((await f.run("start", "chatty")).code).toBe(0)
    const raw = path.join(f.root, "run", "chatty.log")
    await waitFor(() => fs.existsSync(raw) && fs.readFileSync(raw, "utf8").includes("line 5000\n"))
    interface Usage {
      readonly bytes: number
      readonly writtenBytes: number | null
      readonly warning: string | null
    }
    const usage = async () => (await f.json<ReadonlyArray<{ id: string; logs: Usage }>>("ls"))[0]!.logs
    const before = await usage()
    expect(before.warning).toMatch(/chatty\.log is .* over max_size \(8 KiB\).*logs --rotate/)
    expect(before.writtenBytes).toBeNull()
    expect((await f.run("ls")).stdout).toMatch(/chatty: warning: .*over max_size/)
    const rotated = await f.run("logs", "--rotate")
    expect(rotated.code).toBe(0)
    expect(rotated.stdout).toMatch(/chatty: took .* into its records/)
    expect((await usage()).warning).toBeNull()
    // Only what keep and max_size would ever hold was taken: the newest lines, in order.
    const tail = await f.run("logs", "chatty", "-n", "2")
    expect(tail.stdout).toBe("line 4999\nline 5000\n")
    const du = await f.json<{ totalBytes: number; maxTotalBytes: number; agents: ReadonlyArray<{ id: string }> }>(
      "logs",
      "--du"
    )
    expect(du.maxTotalBytes).toBe(1024 * 1024)
    expect(du.agents.map((a) => a.id)).toEqual(["chatty"])
    expect(du.totalBytes).toBeLessThanOrEqual(3 * 8 * 1024 + 4096)
    expect((await f.run("stop", "chatty")).code).toBe(0)
  })
})
