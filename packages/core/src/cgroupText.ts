/**
 * Parsers for the cgroup files OomKills reads (`/proc/<pid>/cgroup`, `memory.events`,
 * `memory.oom_control`): the shell reads, these are tested on fixed text.
 */

/** Where the cgroup file systems are mounted on every distribution that mounts them. */
export const cgroupMount = "/sys/fs/cgroup"

/**
 * The files that may hold the OOM-kill count of the cgroup `/proc/<pid>/cgroup` names, best
 * first: cgroup v2's `memory.events` (line `0::<path>`), then cgroup v1's memory controller's
 * `memory.oom_control` (line `<n>:...memory...:<path>`, kernel 4.13 and later count `oom_kill`).
 */
export const oomCountFiles = (cgroupText: string): ReadonlyArray<string> => {
  const v2: Array<string> = []
  const v1: Array<string> = []
  for (const line of cgroupText.split("\n")) {
    const first = line.indexOf(":")
    const second = line.indexOf(":", first + 1)
    if (first < 0 || second < 0) continue
    const controllers = line.slice(first + 1, second)
    const path = line.slice(second + 1)
    if (!path.startsWith("/")) continue
    const under = path === "/" ? "" : path
    if (line.slice(0, first) === "0" && controllers === "") v2.push(`${cgroupMount}${under}/memory.events`)
    else if (controllers.split(",").includes("memory")) v1.push(`${cgroupMount}/memory${under}/memory.oom_control`)
  }
  return [...v2, ...v1]
}

/** The `oom_kill N` line of `memory.events` or `memory.oom_control`; null without one. */
export const parseOomKills = (text: string): number | null => {
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/)
    if (key === "oom_kill" && value !== undefined && /^\d{1,15}$/.test(value)) return Number(value)
  }
  return null
}
