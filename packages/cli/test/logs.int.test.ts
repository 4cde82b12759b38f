<<<<<<< HEAD
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

const pidOf = async (f: TestFleet, id: string) => (await f.json<ReadonlyArray<Row>>("ls")).find((r) => r.id === id)?.pid ?? null

/** The numbers of `n <k>` lines in `logs <id> -n <all>`, checking that nothing else is there. */
const numbers = async (f: TestFleet, id: string, total: number) => {
  const out = await f.run("logs", id, "-n", String(total + 1000))
  expect(out.code).toBe(0)
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
      f.agent(id, "bash", ["-c", `while :; do seq -f "${id} %.0f ........................................" 1 2000; sleep 0.02; done`])
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
=======
import { recordPrefix, type RecordFlag } from "@agentctl/core/LogRecord"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeFleet, type TestFleet } from "./fleetHarness.ts"

/*
 * `agentctl logs` over record files written by hand (the launcher's layout, no launcher running)
 * and a raw run/<id>.log, as a user runs it: daemonless, reading files.
 */

const now = Date.now()
const rec = (seq: number, at: number, flag: RecordFlag, text: string) => `${recordPrefix(seq, at, flag)}${text}\n`

describe("agentctl logs", () => {
  let fleet: TestFleet

  beforeAll(() => {
    fleet = makeFleet()
    for (const id of ["a1", "b2", "raw"]) fleet.agent(id, "sleep", ["300"])
    // a1: a rotated file an hour old, then current.log with recent lines of every kind.
    fleet.write(
      "run/logs/a1/0000000000000001.log",
      rec(1, now - 3_600_000, "o", "old one") + rec(2, now - 3_599_000, "o", "old two")
    )
    fleet.write(
      "run/logs/a1/current.log",
      rec(3, now - 3000, "o", "  exact \t bytes  ") +
        rec(4, now - 2500, "e", "an error") +
        rec(5, now - 2000, "x", "superseded") +
        rec(6, now - 1500, "m", "took over run/a1.log") +
        rec(7, now - 1000, "O", "a very long line") +
        rec(8, now - 500, "o", "a1 last")
    )
    fleet.write("run/logs/b2/current.log", rec(1, now - 2700, "o", "b2 first") + rec(2, now - 1200, "e", "b2 second"))
    fleet.write("run/raw.log", "plain one\nplain two\n")
  })
  afterAll(() => fleet.cleanup())

  it("prints stdout exactly, marks stderr, notes and cut lines; -n counts from the end", async () => {
    const r = await fleet.run("logs", "a1")
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(
      [
        "old one",
        "old two",
        "  exact \t bytes  ",
        "[stderr] an error",
        "[agentctl] took over run/a1.log",
        "a very long line [… cut]",
        "a1 last",
        ""
      ].join("\n")
    )
    expect((await fleet.run("logs", "a1", "-n", "2")).stdout).toBe("a very long line [… cut]\na1 last\n")
    expect((await fleet.run("logs", "raw", "-n", "1")).stdout).toBe("plain two\n")
  })

  it("--json, --stream, --since, --until and --timestamps", async () => {
    const json = (await fleet.run("logs", "a1", "-n", "2", "--json")).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    expect(json).toEqual([
      { id: "a1", seq: 7, at: now - 1000, stream: "stdout", text: "a very long line", cut: true, partial: false },
      { id: "a1", seq: 8, at: now - 500, stream: "stdout", text: "a1 last", cut: false, partial: false }
    ])
    expect((await fleet.run("logs", "a1", "--stream", "stderr")).stdout).toBe("[stderr] an error\n")
    expect((await fleet.run("logs", "a1", "--since", "10m", "--stream", "stdout")).stdout).toBe(
      "  exact \t bytes  \na very long line [… cut]\na1 last\n"
    )
    expect((await fleet.run("logs", "a1", "--until", "30m")).stdout).toBe("old one\nold two\n")
    const iso = new Date(now - 3_599_500).toISOString()
    expect((await fleet.run("logs", "a1", "--until", iso)).stdout).toBe("old one\n")
    expect((await fleet.run("logs", "a1", "-n", "1", "--timestamps")).stdout).toBe(
      `${new Date(now - 500).toISOString()} a1 last\n`
    )
    expect((await fleet.run("logs", "raw", "-n", "1", "--timestamps")).stdout).toBe("- plain two\n")
    // Raw lines have no time: a time filter leaves them out.
    expect((await fleet.run("logs", "raw", "--since", "1h")).stdout).toBe("")
  })

  it("several ids, or --all: merged by time, each line prefixed with its agent", async () => {
    expect((await fleet.run("logs", "a1", "b2", "--since", new Date(now - 5000).toISOString())).stdout).toBe(
      [
        "a1 |   exact \t bytes  ",
        "b2 | b2 first",
        "a1 | [stderr] an error",
        "a1 | [agentctl] took over run/a1.log",
        "b2 | [stderr] b2 second",
        "a1 | a very long line [… cut]",
        "a1 | a1 last",
        ""
      ].join("\n")
    )
    // -n is the last N overall; raw lines, of unknown time, come first.
    expect((await fleet.run("logs", "--all", "-n", "3")).stdout).toBe(
      "b2 | [stderr] b2 second\na1 | a very long line [… cut]\na1 | a1 last\n"
    )
    expect((await fleet.run("logs", "--all", "-n", "100")).stdout.split("\n").slice(0, 2)).toEqual([
      "raw | plain one",
      "raw | plain two"
    ])
  })

  it("bad values are usage errors naming the flag; an unknown id is not found", async () => {
    for (const [args, said] of [
      [["logs", "a1", "--since", "yesterday"], "--since"],
      [["logs", "a1", "--until", "5d"], "--until"],
      [["logs", "a1", "--stream", "both"], "--stream"],
      [["logs"], "needs <id>"],
      [["logs", "a1", "--all"], "--all"]
    ] as const) {
      const r = await fleet.run(...args)
      expect(r.code, args.join(" ")).toBe(2)
      expect(r.stderr, args.join(" ")).toContain(said)
      expect(r.stdout).toBe("")
    }
    const missing = await fleet.run("logs", "a1", "ghost")
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/no agent with id "ghost"/)
  })

  it("status shows the last lines", async () => {
    const r = await fleet.run("status", "a1")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/ {2}log: {7}\S+\/run\/logs\/a1\/ \(2 files, 244 B\)\n {2}last lines:\n {4} {2}exact/)
    expect(r.stdout).toContain("    [stderr] an error\n")
    expect(r.stdout).toContain("    a1 last\n")
>>>>>>> logs-reader
  })
})
