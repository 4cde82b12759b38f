/**
 * `agentctl check <id>`: every probe of one agent, once, now, whoever supervises it — the same
 * runner, cwd and env as the launcher's probes, so a probe that passes here passes there.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AgentRow } from "./AgentRow.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import { describeCheck, ProbeKind, probesOf } from "./HealthSpec.ts"
import { ProbeResult } from "./ProbeResult.ts"
import { probeBase, runProbe } from "./probeTarget.ts"

export const CheckResult = Schema.Struct({
  id: Schema.String,
  /** Every probe passed (an agent without probes: it runs). */
  ok: Schema.Boolean,
  status: Schema.String,
  probes: Schema.Array(Schema.Struct({ kind: ProbeKind, check: Schema.String, result: ProbeResult }))
}).annotate({ identifier: "CheckResult" })
export type CheckResult = typeof CheckResult.Type

/** `row` is the agent as its supervisor sees it: a log probe reads the lines of the running instance only. */
export const checkAgent = Effect.fn("checkAgent")(function* (fleet: LoadedFleet, row: AgentRow) {
  const spec = fleet.agents.get(row.id ?? "")!
  const now = yield* Clock.currentTimeMillis
  // Under a launcher, the running instance's lines; daemonless lines have no arrival time.
  const started = row.detail._tag === "Running" ? row.detail.startedAt : null
  const since = row.supervisor === "daemonless" ? null : (started ?? now)
  const base = yield* probeBase(fleet.settings, spec, since)
  const probes = yield* Effect.forEach(
    probesOf(spec.config.health),
    ([kind, probe]) =>
      Effect.map(runProbe(base, kind, probe), (result) => ({ kind, check: describeCheck(probe), result })),
    { concurrency: "unbounded" }
  )
  return {
    id: base.id,
    ok: probes.length === 0 ? row.status === "running" : probes.every((p) => p.result.ok),
    status: row.status,
    probes
  } satisfies CheckResult
})
