import { describe, expect, it } from "vitest"
import { oomCountFiles, parseOomKills } from "../src/cgroupText.ts"
import { oomKilledBetween } from "../src/OomKills.ts"

describe("oomCountFiles", () => {
  it.each([
    {
      name: "cgroup v2",
      text: "0::/user.slice/user-1000.slice/session-2.scope\n",
      files: ["/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/memory.events"]
    },
    { name: "cgroup v2 namespace root (a container)", text: "0::/\n", files: ["/sys/fs/cgroup/memory.events"] },
    {
      // This machine's: v1 controllers and an empty v2 hierarchy beside them.
      name: "hybrid: v1 memory controller and v2",
      text: "9:name=systemd:/\n4:memory:/process_api/0e54\n1:cpu:/\n0::/\n",
      files: ["/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/process_api/0e54/memory.oom_control"]
    },
    {
      name: "v1 controllers mounted together",
      text: "5:memory,hugetlb:/docker/abc\n",
      files: ["/sys/fs/cgroup/memory/docker/abc/memory.oom_control"]
    },
    { name: "no memory controller", text: "3:cpu,cpuacct:/a\n2:pids:/a\n", files: [] },
    { name: "not a cgroup file", text: "garbage\n\n:\n", files: [] }
  ])("$name", ({ text, files }) => {
    expect(oomCountFiles(text)).toEqual(files)
  })
})

describe("parseOomKills", () => {
  it.each([
    { name: "v2 memory.events", text: "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n", kills: 2 },
    { name: "v1 memory.oom_control", text: "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n", kills: 5 },
    { name: "a kernel before 4.13 (no oom_kill line)", text: "oom_kill_disable 0\nunder_oom 0\n", kills: null },
    { name: "oom_group_kill alone is not oom_kill", text: "oom_group_kill 4\n", kills: null },
    { name: "a value that is not a count", text: "oom_kill -1\n", kills: null },
    { name: "empty", text: "", kills: null }
  ])("$name: $kills", ({ text, kills }) => {
    expect(parseOomKills(text)).toBe(kills)
  })
})

const at = (kills: number, file = "/c/memory.events") => ({ file, kills })

describe("oomKilledBetween", () => {
  it.each([
    { name: "the count grew", before: at(1), after: at(2), killed: true },
    { name: "the count stayed", before: at(1), after: at(1), killed: false },
    { name: "unreadable at the start", before: null, after: at(2), killed: false },
    { name: "unreadable at the end", before: at(1), after: null, killed: false },
    { name: "another file (not the same counter)", before: at(1), after: at(2, "/d/memory.events"), killed: false }
  ])("$name: $killed", ({ before, after, killed }) => {
    expect(oomKilledBetween(before, after)).toBe(killed)
  })
})
