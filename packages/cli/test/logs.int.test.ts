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
  })
})
