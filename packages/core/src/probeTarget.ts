/** What a probe runs with, shared by the launcher's probes (watchHealth.ts) and `check` (checkAgent.ts). */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import type { AgentSpec } from "./AgentConfig.ts"
import { agentEnv } from "./AgentEnv.ts"
import { toRecord } from "./env.ts"
import type { FleetSettings } from "./FleetSettings.ts"
import type { ProbeKind, ProbeSpec } from "./HealthSpec.ts"
import type { ProbeResult } from "./ProbeResult.ts"
import { ProbeRunner, type ProbeTarget } from "./ProbeRunner.ts"

export interface ProbeBase {
  readonly id: string
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  /** Why the agent's env could not be read (a bad `.env`): exec probes then cannot run either. */
  readonly envError: string | null
  readonly since: number | null
}

/** The agent's cwd and env, without agentctl's marker: a probe is never taken for part of the agent. */
export const probeBase = Effect.fnUntraced(function* (settings: FleetSettings, spec: AgentSpec, since: number | null) {
  const path = yield* Path.Path
  const env = yield* Effect.result(agentEnv(settings, spec))
  return {
    id: spec.config.agent.id,
    cwd: path.resolve(spec.dir, spec.config.run.cwd),
    env: env._tag === "Success" ? toRecord(env.success.filter((e) => e.source !== "agentctl")) : {},
    envError: env._tag === "Failure" ? env.failure.message : null,
    since
  } satisfies ProbeBase
})

export const targetOf = (base: ProbeBase, kind: ProbeKind, probe: ProbeSpec): ProbeTarget => ({
  id: base.id,
  kind,
  probe,
  cwd: base.cwd,
  env: base.env,
  since: base.since
})

/** One run of one probe (an exec probe without the agent's env is an error, not a run). */
export const runProbe = (
  base: ProbeBase,
  kind: ProbeKind,
  probe: ProbeSpec
): Effect.Effect<ProbeResult, never, ProbeRunner> =>
  base.envError !== null && probe.exec !== undefined
    ? Effect.map(Clock.currentTimeMillis, (at) => ({
        ok: false,
        at,
        ms: 0,
        output: "",
        error: `could not read the agent's environment: ${base.envError}`
      }))
    : ProbeRunner.use((runner) => runner.run(targetOf(base, kind, probe)))
