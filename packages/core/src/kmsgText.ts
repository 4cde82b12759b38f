/**
 * The kernel log (`/dev/kmsg`, what `dmesg` prints) as OomKills reads it: only the OOM killer's
 * own line, "Out of memory: Killed process <pid> (<comm>) ..." or, for a cgroup's limit, "Memory
 * cgroup out of memory: Killed process <pid> ...". The shell reads, this is tested on fixed text.
 */

const killedProcess = /(?:^|[;\s])(?:Memory cgroup out of memory|Out of memory): Killed process (\d+) /gm

/** The pids the OOM killer ended, as far back as the log's ring buffer goes. */
export const parseOomVictims = (kmsg: string): ReadonlySet<number> =>
  new Set([...kmsg.matchAll(killedProcess)].map((m) => Number(m[1])))
