import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AgentRow } from "./AgentRow.ts"
import { LogUsage } from "./LogUsage.ts"
import { Prober } from "./Prober.ts"
import { sessionPids, type Usage } from "./ProcessTable.ts"
import { cpuPercent } from "./usage.ts"

export const AgentStats = Schema.Struct({
  id: Schema.String,
  status: Schema.String,
  pid: Schema.NullOr(Schema.Int),
  /** Processes in the agent's session(s): wrappers and children are counted in RSS and CPU. */
  processes: Schema.Int,
  uptime: Schema.NullOr(Schema.Finite),
  rssBytes: Schema.NullOr(Schema.Int),
  /** % of one core over the sampling interval. */
  cpuPercent: Schema.NullOr(Schema.Finite),
  /** Bytes of its logs on disk (`logs.bytes`). */
  logBytes: Schema.Int,
  restarts: Schema.Int,
  logs: Schema.NullOr(LogUsage)
}).annotate({ identifier: "AgentStats" })
export type AgentStats = typeof AgentStats.Type

/** CPU% needs two samples; this is the interval between them. */
export const sampleIntervalMs = 500

const sum = (usages: ReadonlyArray<Usage | null>) => {
  const live = usages.filter((u): u is Usage => u !== null)
  return {
    rssBytes: live.reduce((n, u) => n + u.rssBytes, 0),
    cpuTicks: live.reduce((n, u) => n + u.cpuTicks, 0)
  }
}

/** Stats for these rows, all sampled together: one interval however many agents. */
export const statsFor = Effect.fn("Stats.statsFor")(function* (rows: ReadonlyArray<AgentRow>) {
  const prober = yield* Prober
  const snapshot = yield* prober.snapshot
  const targets = rows.flatMap((row) => {
    if (row.id === null) return []
    // Stryker disable next-line ConditionalExpression: sessionPids finds no leader for a null pid either
    const pids = row.pid === null ? [] : sessionPids(snapshot, row.pid)
    return [{ row, id: row.id, pids }]
  })
  const sample = Effect.forEach(targets, (t) => Effect.map(Effect.forEach(t.pids, prober.usage), sum))
  const first = yield* sample
  const t0 = yield* Clock.currentTimeMillis
  if (targets.some((t) => t.pids.length > 0)) yield* Effect.sleep(sampleIntervalMs)
  const second = yield* sample
  const t1 = yield* Clock.currentTimeMillis
  return targets.map(({ row, id, pids }, i): AgentStats => {
    const a = first[i]!
    const b = second[i]!
    const n = pids.length
    return {
      id,
      status: row.status,
      pid: row.pid,
      processes: n,
      uptime: row.uptime,
      rssBytes: n === 0 ? null : b.rssBytes,
      cpuPercent:
        n === 0
          ? null
          : cpuPercent(
              { cpuTicks: a.cpuTicks, sampledAt: t0 },
              { cpuTicks: b.cpuTicks, sampledAt: t1 },
              snapshot.ticksPerSecond
            ),
      logBytes: row.logs?.bytes ?? 0,
      restarts: row.restarts,
      logs: row.logs
    }
  })
})
