import { describe, expect, it } from "vitest"
import { parseOomVictims } from "../src/kmsgText.ts"
import { provedOomKill } from "../src/OomKills.ts"

// Records as read(2) of /dev/kmsg returns them (one per read), from a real cgroup OOM kill.
const memcgKill = [
  "4,499,10404920762,-;MainThread invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n",
  "6,576,10404921118,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=MainThread,pid=31715,uid=0\n",
  "3,577,10404921186,-;Memory cgroup out of memory: Killed process 31715 (MainThread) total-vm:1397248kB, anon-rss:64580kB, file-rss:34396kB, shmem-rss:0kB, UID:0 pgtables:620kB oom_score_adj:0\n"
].join("")
// The global OOM killer, as `dmesg` prints it.
const globalKill = "[ 1234.5678] Out of memory: Killed process 4242 (node) total-vm:2097152kB, anon-rss:1048576kB\n"

describe("parseOomVictims", () => {
  it.each([
    { name: "a cgroup's OOM kill", text: memcgKill, pids: [31715] },
    { name: "the global OOM killer", text: globalKill, pids: [4242] },
    { name: "both", text: memcgKill + globalKill, pids: [31715, 4242] },
    // The oom-kill summary line names the pid too, but only the "Killed process" line says it died.
    { name: "the summary line alone", text: memcgKill.split("\n")[1]!, pids: [] },
    { name: "a process that logs the same words", text: "6,1,1,-;myagent: Killed process 99 (x) by hand\n", pids: [] },
    { name: "nothing", text: "", pids: [] }
  ])("$name", ({ text, pids }) => {
    expect([...parseOomVictims(text)]).toEqual(pids)
  })
})

const count = (kills: number) => ({ file: "/c/memory.events", kills })

describe("provedOomKill", () => {
  it.each([
    { name: "the count grew, the log names it", before: count(0), after: count(1), victims: [7], proved: true },
    { name: "the count grew, the log cannot be read", before: count(0), after: count(1), victims: null, proved: true },
    // Another process of the shared cgroup was the victim; this one was SIGKILLed by someone else.
    {
      name: "the count grew, the log names another pid",
      before: count(0),
      after: count(1),
      victims: [8],
      proved: false
    },
    {
      name: "the log names it, but the count did not grow (a pid reused)",
      before: count(1),
      after: count(1),
      victims: [7],
      proved: false
    },
    { name: "no count at the start", before: null, after: count(1), victims: [7], proved: false }
  ])("$name: $proved", ({ before, after, victims, proved }) => {
    expect(provedOomKill({ pid: 7, before, after, victims: victims === null ? null : new Set(victims) })).toBe(proved)
  })
})
