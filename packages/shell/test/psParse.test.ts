import { describe, expect, it } from "vitest"
import {
  parseLstart,
  parsePsCpuTime,
  parsePsEnvironment,
  parsePsSnapshot,
  parsePsSnapshotLine,
  parsePsUsage
} from "../src/internal/psParse.ts"
import { snapshotArgs } from "../src/PsProber.ts"

const T = 1795704251 // Thu Nov 26 14:44:11 2026 UTC

describe("parseLstart", () => {
  it.each([
    { text: "Thu Nov 26 14:44:11 2026", expected: T },
    { text: "Sun Nov  1 00:00:00 2026", expected: Date.UTC(2026, 10, 1) / 1000 },
    { text: "Mon Jan  1 00:00:00 1970", expected: 0 },
    { text: "Thu Foo 26 14:44:11 2026", expected: null },
    { text: "yesterday", expected: null }
  ])("$text", ({ text, expected }) => {
    expect(parseLstart(text)).toBe(expected)
  })
})

describe("parsePsSnapshotLine", () => {
  it.each([
    {
      name: "a session leader with the marker among other variables",
      line: " 7117     1  7117  7117 Ss   Thu Nov 26 14:44:11 2026 sleep PATH=/bin AGENTCTL_FLEET=/srv/f AGENTCTL_AGENT=a1 X=1",
      expected: {
        pid: 7117,
        ppid: 1,
        pgid: 7117,
        sid: 7117,
        state: "S",
        comm: "sleep",
        startTime: T,
        marker: { fleet: "/srv/f", agent: "a1" }
      }
    },
    {
      name: "a comm with spaces and parentheses, values with spaces",
      line: " 7117     1  7117  7117 Ss   Thu Nov 26 14:44:11 2026 my (weird) proc AGENTCTL_FLEET=/tmp/a b AGENTCTL_AGENT=a1 X=y z",
      expected: { comm: "my (weird) proc", marker: { fleet: "/tmp/a b", agent: "a1" } }
    },
    {
      name: "not a session leader: the inherited marker is not read",
      line: " 7201  7199  7199  7199 S    Thu Nov 26 14:44:11 2026 sleep AGENTCTL_FLEET=/srv/f AGENTCTL_AGENT=a1",
      expected: { pid: 7201, sid: 7199, comm: "sleep", marker: null }
    },
    {
      name: "a zombie, no environment",
      line: " 7201  7199  7199  7199 Z    Thu Nov  5 14:44:11 2026 sleep",
      expected: { state: "Z", comm: "sleep", marker: null, startTime: Date.UTC(2026, 10, 5, 14, 44, 11) / 1000 }
    },
    {
      name: "a kernel thread",
      line: "    4     2     0     0 I<   Thu Nov 26 14:35:03 2026 kworker/R-rcu_gp",
      expected: { pid: 4, ppid: 2, sid: 0, state: "I", comm: "kworker/R-rcu_gp", marker: null }
    },
    {
      name: "only part of the marker",
      line: "  10     1    10    10 Ss   Thu Nov 26 14:44:11 2026 sh AGENTCTL_FLEET=/srv/f",
      expected: { comm: "sh", marker: null }
    },
    { name: "garbage", line: "PID PPID", expected: null },
    { name: "empty", line: "", expected: null }
  ])("$name", ({ line, expected }) => {
    const parsed = parsePsSnapshotLine(line)
    if (expected === null) expect(parsed).toBeNull()
    else expect(parsed).toMatchObject(expected)
  })

  it("parsePsSnapshot keys by pid and skips what it cannot read", () => {
    const stdout = [
      "    1     0     1     1 Ss   Thu Nov 26 14:35:03 2026 init",
      "nonsense",
      "   20     1    20    20 Ss   Thu Nov 26 14:35:04 2026 sshd HOME=/root",
      ""
    ].join("\n")
    expect([...parsePsSnapshot(stdout).keys()]).toEqual([1, 20])
  })
})

describe("parsePsEnvironment", () => {
  it.each([
    { text: "AGENTCTL_FLEET=f AGENTCTL_AGENT=a", expected: { fleet: "f", agent: "a" } },
    { text: "AGENTCTL_AGENT=a=b AGENTCTL_FLEET=/x y/z", expected: { fleet: "/x y/z", agent: "a=b" } },
    { text: "AGENTCTL_FLEET=first AGENTCTL_AGENT=a AGENTCTL_FLEET=second", expected: { fleet: "first", agent: "a" } },
    { text: "PATH=/bin", expected: null },
    { text: "", expected: null }
  ])("$text", ({ text, expected }) => {
    expect(parsePsEnvironment(text)).toEqual(expected)
  })
})

describe("parsePsCpuTime and parsePsUsage", () => {
  it.each([
    { text: "00:00:02", expected: 2 },
    { text: "01:02:03", expected: 3723 },
    { text: "2-01:00:00", expected: 2 * 86400 + 3600 },
    { text: "05:07", expected: 307 },
    { text: "x", expected: null }
  ])("cpu time $text", ({ text, expected }) => {
    expect(parsePsCpuTime(text)).toBe(expected)
  })

  it("a usage line", () => {
    expect(parsePsUsage("11560 00:00:02 Thu Nov 26 14:44:11 2026\n")).toEqual({
      rssKb: 11560,
      cpuSeconds: 2,
      startTime: T
    })
    expect(parsePsUsage("")).toBeNull()
  })
})

describe("snapshotArgs", () => {
  it("one ps call with the environment flag, per platform", () => {
    expect(snapshotArgs("linux")).toEqual(["-A", "-ww", "e", "-o", "pid=,ppid=,pgid=,sid=,stat=,lstart=,comm="])
    expect(snapshotArgs("darwin")).toContain("-E")
  })
})
