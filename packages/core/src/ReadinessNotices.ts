import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/**
 * Readiness notifications (`notify: true`): the newline an agent writes to the descriptor in
 * $AGENTCTL_NOTIFY_FD. Only a launcher reads them (shell/ReadyNotices); without one the
 * descriptor is /dev/null and nobody waits.
 */
export class ReadinessNotices extends Context.Service<
  ReadinessNotices,
  {
    /** Completes, with its time, at the agent's first notification at or after `since` (unix ms). */
    readonly await: (id: string, since: number) => Effect.Effect<number>
  }
>()("@agentctl/core/ReadinessNotices") {}
