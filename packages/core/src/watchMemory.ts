/**
 * `run.max_memory`: PM2's max_memory_restart. The RSS of the agent's whole session (wrappers and
 * children count: a leaky worker under a shell script is what this is for), read from one shared
 * process-table snapshot per interval for the whole fleet, never a scan per agent.
 */
import * as Effect from "effect/Effect"
import { formatBytes } from "./bytesText.ts"
import type { ProbeFailed } from "./Errors.ts"
import { Prober } from "./Prober.ts"
import { sessionPids } from "./ProcessTable.ts"
import type { Verdict } from "./watchHealth.ts"

/** How often an agent with `max_memory` is sampled; two samples over it in a row restart it. */
export const memorySampleMs = 5000
export const samplesOverLimit = 2

/** RSS of a leader's session; null when it is gone. One snapshot serves every agent sampled within its lifetime. */
export type SessionRss = (leader: number) => Effect.Effect<number | null, ProbeFailed>

export const makeSessionRss = Effect.gen(function* () {
  const prober = yield* Prober
  // Shorter than the interval, so each round of samples shares one snapshot and the next takes a new one.
  const snapshot = yield* Effect.cachedWithTTL(prober.snapshot, memorySampleMs / 2)
  const rss: SessionRss = (leader) =>
    Effect.gen(function* () {
      const pids = sessionPids(yield* snapshot, leader)
      if (pids.length === 0) return null
      const usages = yield* Effect.forEach(pids, prober.usage)
      return usages.reduce((n, u) => n + (u?.rssBytes ?? 0), 0)
    })
  return rss
})

/** Ends with a verdict when the instance led by `pid` stays over `limit` (its `run.max_memory`, bytes). */
export const watchMemory = (limit: number, pid: number, rss: SessionRss): Effect.Effect<Verdict> =>
  Effect.gen(function* () {
    let over = 0
    let last = 0
    while (over < samplesOverLimit) {
      yield* Effect.sleep(memorySampleMs)
      // A failed read is no sample: it neither counts towards a restart nor resets the streak.
      const read = yield* Effect.result(rss(pid))
      if (read._tag === "Failure") continue
      const bytes = read.success
      if (bytes === null) return yield* Effect.never
      if (bytes > limit) {
        over++
        last = bytes
      } else over = 0
    }
    return {
      reason: "memory",
      message: `its RSS (${formatBytes(last)}) stayed above run.max_memory (${formatBytes(limit)}) for ${samplesOverLimit} samples ${memorySampleMs / 1000}s apart`
    } satisfies Verdict
  })
