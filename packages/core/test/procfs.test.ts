import { describe, expect, it } from "vitest"
import {
  parseAuxvClockTicks,
  parseBtime,
  parseCmdline,
  parseEnvironMarker,
  parseStat,
  parseStatusRssKb
} from "../src/procfs.ts"
import { MarkerAgentVar, MarkerFleetVar } from "../src/ProcessTable.ts"

// From a real `cat /proc/self/stat`, with pgid, utime and stime changed so every field we read is distinct.
const catStat =
  "8849 (cat) R 8845 8846 6040 0 -1 4194304 101 0 0 0 7 3 0 0 20 0 1 0 76171 3133440 389 " +
  "18446744073709551615 94739686518784 94739686538665 140729845277552 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 " +
  "94739686554672 94739686556288 94739958554624 140729845283527 140729845283547 140729845283547 140729845284843 0\n"

/** A stat line with the given comm, and field n (from 4 on) holding n, so a wrong index shows. */
const statWith = (pid: string, comm: string) =>
  `${pid} (${comm}) S ${Array.from({ length: 22 }, (_, i) => i + 4).join(" ")}\n`

/** /proc/<pid>/status around the given lines. */
const status = (...lines: ReadonlyArray<string>) => ["Name:\tnode", "State:\tS (sleeping)", ...lines, ""].join("\n")

/** /proc/<pid>/environ: each variable ends in a NUL. */
const environ = (...vars: ReadonlyArray<string>) => vars.map((v) => `${v}\0`).join("")

/** Little-endian 64-bit (type, value) pairs, as the kernel writes them on x86_64 and aarch64. */
const auxv = (...pairs: ReadonlyArray<readonly [number, bigint]>): Uint8Array => {
  const bytes = new Uint8Array(pairs.length * 16)
  const view = new DataView(bytes.buffer)
  pairs.forEach(([type, value], i) => {
    view.setBigUint64(i * 16, BigInt(type), true)
    view.setBigUint64(i * 16 + 8, value, true)
  })
  return bytes
}

describe("parseStat", () => {
  it.each([
    {
      name: "a real line",
      text: catStat,
      expected: {
        pid: 8849,
        comm: "cat",
        state: "R",
        ppid: 8845,
        pgid: 8846,
        sid: 6040,
        utime: 7,
        stime: 3,
        startTime: 76171,
        rssPages: 389
      }
    },
    ...["node", "my proc", "my (weird) proc", ") R 1 2 3 (", "(", ")", "", "a)b", "kworker/0:1H"].map((comm) => ({
      name: `comm ${JSON.stringify(comm)}`,
      text: statWith("42", comm),
      expected: {
        pid: 42,
        comm,
        state: "S",
        ppid: 4,
        pgid: 5,
        sid: 6,
        utime: 14,
        stime: 15,
        startTime: 22,
        rssPages: 24
      }
    })),
    {
      name: "a zombie",
      text: "77 (defunct) Z 1 77 77 0 -1 4227084 0 0 0 0 1 2 0 0 20 0 1 0 500 0 0 18446744073709551615 0 0 0",
      expected: {
        pid: 77,
        comm: "defunct",
        state: "Z",
        ppid: 1,
        pgid: 77,
        sid: 77,
        utime: 1,
        stime: 2,
        startTime: 500,
        rssPages: 0
      }
    },
    { name: "empty", text: "", expected: null },
    { name: "no parentheses", text: "42 cat R 1 2 3", expected: null },
    { name: "only a close parenthesis", text: "42 cat) R 1 2 3", expected: null },
    {
      name: "cut short before rss",
      text: "42 (cat) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
      expected: null
    },
    { name: "a pid that is not a number", text: statWith("x", "cat"), expected: null },
    { name: "no pid", text: statWith("", "cat"), expected: null },
    { name: "a field that is not a number", text: statWith("42", "cat").replace(" 22 ", " x "), expected: null },
    { name: "a state that is not a letter", text: statWith("42", "cat").replace(" S ", " 1 "), expected: null },
    { name: "a state of two letters", text: statWith("42", "cat").replace(" S ", " SS "), expected: null },
    { name: "a state with a digit after it", text: statWith("42", "cat").replace(" S ", " S1 "), expected: null },
    { name: "a state with a digit before it", text: statWith("42", "cat").replace(" S ", " 1S "), expected: null },
    ...(
      [
        ["ppid", " 4 "],
        ["pgid", " 5 "],
        ["sid", " 6 "],
        ["utime", " 14 "],
        ["stime", " 15 "],
        ["starttime", " 22 "]
      ] as const
    ).map(([field, value]) => ({
      name: `${field} not a number`,
      text: statWith("42", "cat").replace(value, " x "),
      expected: null
    })),
    ...["+42", "0x2A", "4e1", "4.2", "-"].map((pid) => ({
      name: `pid ${JSON.stringify(pid)} is not digits`,
      text: statWith(pid, "cat"),
      expected: null
    })),
    {
      name: "a negative field",
      text: statWith("42", "cat").replace(" 5 ", " -5 "),
      expected: {
        pid: 42,
        comm: "cat",
        state: "S",
        ppid: 4,
        pgid: -5,
        sid: 6,
        utime: 14,
        stime: 15,
        startTime: 22,
        rssPages: 24
      }
    },
    {
      name: "fields apart by two spaces or a tab still read",
      text: statWith("42", "cat").replace(" 5 ", "  5\t"),
      expected: {
        pid: 42,
        comm: "cat",
        state: "S",
        ppid: 4,
        pgid: 5,
        sid: 6,
        utime: 14,
        stime: 15,
        startTime: 22,
        rssPages: 24
      }
    }
  ])("$name", ({ text, expected }) => {
    expect(parseStat(text)).toEqual(expected)
  })
})

describe("parseStatusRssKb", () => {
  it.each([
    { name: "a process", text: status("VmPeak:\t  10 kB", "VmRSS:\t    2080 kB", "RssAnon:\t 1 kB"), expected: 2080 },
    { name: "no padding", text: status("VmRSS:0 kB"), expected: 0 },
    { name: "a kernel thread has no Vm lines", text: status("Threads:\t1"), expected: null },
    { name: "VmRSS inside another key does not count", text: status("XVmRSS:\t5 kB"), expected: null },
    { name: "no space before kB", text: status("VmRSS:\t7kB"), expected: 7 },
    { name: "spaces after kB", text: status("VmRSS:\t7 kB  "), expected: 7 },
    { name: "something after kB", text: status("VmRSS:\t7 kB extra"), expected: null },
    { name: "empty", text: "", expected: null }
  ])("$name", ({ text, expected }) => {
    expect(parseStatusRssKb(text)).toBe(expected)
  })
})

describe("parseEnvironMarker", () => {
  it.each([
    {
      name: "both set",
      text: environ("PATH=/bin", `${MarkerFleetVar}=prod`, "HOME=/root", `${MarkerAgentVar}=web-1`),
      expected: { fleet: "prod", agent: "web-1" }
    },
    {
      name: "values with = and spaces",
      text: environ(`${MarkerAgentVar}=a=b c`, `${MarkerFleetVar}=/srv/my fleet`),
      expected: { fleet: "/srv/my fleet", agent: "a=b c" }
    },
    {
      name: "no trailing NUL",
      text: `${MarkerFleetVar}=f\0${MarkerAgentVar}=a`,
      expected: { fleet: "f", agent: "a" }
    },
    {
      name: "the first of duplicates wins, as with getenv",
      text: environ(`${MarkerFleetVar}=first`, `${MarkerAgentVar}=a`, `${MarkerFleetVar}=second`),
      expected: { fleet: "first", agent: "a" }
    },
    { name: "only the fleet", text: environ(`${MarkerFleetVar}=f`, "PATH=/bin"), expected: null },
    { name: "only the agent", text: environ(`${MarkerAgentVar}=a`), expected: null },
    { name: "an empty agent", text: environ(`${MarkerFleetVar}=f`, `${MarkerAgentVar}=`), expected: null },
    { name: "an empty fleet", text: environ(`${MarkerFleetVar}=`, `${MarkerAgentVar}=a`), expected: null },
    {
      name: "entries without = that start like the marker",
      text: environ(`${MarkerFleetVar}x`, `${MarkerAgentVar}y`),
      expected: null
    },
    {
      name: "a name that only starts like the marker",
      text: environ(`${MarkerFleetVar}X=f`, `${MarkerAgentVar}=a`),
      expected: null
    },
    { name: "a marker inside a value", text: environ(`X=${MarkerFleetVar}=f`, `${MarkerAgentVar}=a`), expected: null },
    { name: "no = at all", text: environ(MarkerFleetVar, MarkerAgentVar), expected: null },
    { name: "empty (kernel thread, or not ours to read)", text: "", expected: null }
  ])("$name", ({ text, expected }) => {
    expect(parseEnvironMarker(text)).toEqual(expected)
  })
})

describe("parseCmdline", () => {
  it.each([
    {
      name: "argv with a trailing NUL",
      text: "node\0server.js\0--port\x008080\0",
      expected: ["node", "server.js", "--port", "8080"]
    },
    { name: "arguments with spaces", text: "sh\0-c\0echo hi there\0", expected: ["sh", "-c", "echo hi there"] },
    { name: "an empty argument in the middle", text: "a\0\0b\0", expected: ["a", "", "b"] },
    { name: "an empty last argument", text: "a\0\0", expected: ["a", ""] },
    { name: "no trailing NUL (setproctitle)", text: "nginx: worker process", expected: ["nginx: worker process"] },
    { name: "empty (zombie or kernel thread)", text: "", expected: [] }
  ])("$name", ({ text, expected }) => {
    expect(parseCmdline(text)).toEqual(expected)
  })
})

describe("parseBtime", () => {
  it.each([
    {
      name: "a real /proc/stat",
      text: "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 99 0\nctxt 123\nbtime 1795703703\nprocesses 9000\nprocs_running 2\n",
      expected: 1795703703
    },
    { name: "last line without newline", text: "ctxt 1\nbtime 1700000000", expected: 1700000000 },
    { name: "missing", text: "cpu  1 2 3 4\nctxt 1\n", expected: null },
    { name: "not a number", text: "btime soon\n", expected: null },
    { name: "a longer key", text: "btimex 5\n", expected: null },
    { name: "a key that ends like btime", text: "xbtime 5\n", expected: null },
    { name: "something after the number", text: "btime 5x\n", expected: null },
    { name: "two spaces and a trailing one", text: "btime  1700000000 \nctxt 1\n", expected: 1700000000 }
  ])("$name", ({ text, expected }) => {
    expect(parseBtime(text)).toBe(expected)
  })
})

describe("parseAuxvClockTicks", () => {
  const realPrefix = [
    [33, 0x7f2a55dd9000n],
    [51, 0x2eb0n],
    [16, 0x1f8bfbffn],
    [6, 4096n]
  ] as const

  it.each([
    { name: "a real auxv", bytes: auxv(...realPrefix, [17, 100n], [3, 0x55695d514040n], [0, 0n]), expected: 100 },
    { name: "another tick rate", bytes: auxv([17, 1000n], [0, 0n]), expected: 1000 },
    { name: "absent", bytes: auxv(...realPrefix, [0, 0n]), expected: null },
    { name: "after AT_NULL does not count", bytes: auxv([6, 4096n], [0, 0n], [17, 100n]), expected: null },
    { name: "zero", bytes: auxv([17, 0n], [0, 0n]), expected: null },
    { name: "too large for a number", bytes: auxv([17, 2n ** 60n], [0, 0n]), expected: null },
    {
      name: "the largest safe integer",
      bytes: auxv([17, BigInt(Number.MAX_SAFE_INTEGER)], [0, 0n]),
      expected: Number.MAX_SAFE_INTEGER
    },
    { name: "no AT_NULL", bytes: auxv([6, 4096n], [17, 250n]), expected: 250 },
    { name: "empty", bytes: new Uint8Array(0), expected: null },
    { name: "a truncated pair", bytes: auxv([17, 100n]).subarray(0, 12), expected: null },
    {
      name: "a view into a larger buffer",
      bytes: new Uint8Array([...new Uint8Array(8), ...auxv([17, 100n], [0, 0n])]).subarray(8),
      expected: 100
    }
  ])("$name", ({ bytes, expected }) => {
    expect(parseAuxvClockTicks(bytes)).toBe(expected)
  })
})
