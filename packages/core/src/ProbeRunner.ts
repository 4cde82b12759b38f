import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { ProbeKind, ProbeSpec } from "./HealthSpec.ts"
import type { ProbeResult } from "./ProbeResult.ts"

/** What a probe runs for: the agent's own cwd and env (an `exec` probe sees what the agent sees). */
export interface ProbeTarget {
  readonly id: string
  readonly kind: ProbeKind
  readonly probe: ProbeSpec
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  /**
   * Unix ms the instance started: a `log` probe matches lines that arrived since. Null without a
   * launcher: daemonless lines carry no arrival time, so any line of the agent's log matches.
   */
  readonly since: number | null
}

/**
 * Runs probes: shell/NodeProbeRunner (child processes with a timeout and no shell, an HTTP GET, a TCP
 * connect, the agent's log). Never fails: a probe that cannot run says so in `error`.
 */
export class ProbeRunner extends Context.Service<
  ProbeRunner,
  {
    /** One check, now, within the probe's timeout. A `log` probe: has a matching line appeared since `since`? */
    readonly run: (target: ProbeTarget) => Effect.Effect<ProbeResult>
    /** A `log` probe as the launcher runs it: completes the moment a matching line appears. */
    readonly awaitLine: (target: ProbeTarget) => Effect.Effect<ProbeResult>
  }
>()("@agentctl/core/ProbeRunner") {}
