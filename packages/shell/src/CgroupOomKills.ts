/**
 * OomKills from the cgroup file systems: `/proc/<pid>/cgroup` names the instance's cgroup, whose
 * `memory.events` (v2) or `memory.oom_control` (v1) counts the kernel's OOM kills in it. Small
 * files under /proc and /sys, read synchronously as the prober reads /proc.
 */
import { oomCountFiles, parseOomKills } from "@agentctl/core/cgroupText"
import { type OomCount, OomKills } from "@agentctl/core/OomKills"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readFileSync } from "node:fs"

/**
 * A file's text, or null. Every failure means the same here (no cgroup file system, no memory
 * controller, the root cgroup, no permission, the pid gone): no evidence, so no exit is called
 * `oom`. That is OomKills' contract, not a lost error.
 */
const readOrNull = (file: string): string | null => {
  try {
    return readFileSync(file, "latin1")
  } catch {
    return null
  }
}

const countIn = (file: string): OomCount | null => {
  const text = readOrNull(file)
  const kills = text === null ? null : parseOomKills(text)
  return kills === null ? null : { file, kills }
}

export const layer: Layer.Layer<OomKills> = Layer.succeed(
  OomKills,
  OomKills.of({
    count: (pid) =>
      Effect.sync(() => {
        const cgroup = readOrNull(`/proc/${pid}/cgroup`)
        if (cgroup === null) return null
        for (const file of oomCountFiles(cgroup)) {
          const found = countIn(file)
          if (found !== null) return found
        }
        return null
      }),
    recount: (before) => Effect.sync(() => countIn(before.file))
  })
)
