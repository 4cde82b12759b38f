import { LauncherSurvived } from "@agentctl/core/Errors"
import type { PidRecord } from "@agentctl/core/PidRecord"
import { type SignalName, Signals } from "@agentctl/core/Signals"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/** How often `signalLauncher` looks whether the launcher is gone. */
export const pollMs = 20

/**
 * Signal the launcher `record` names and wait, on the Effect clock, until that very process (its
 * pid with its start time: `isLive`) is gone. "gone": it ended after our signal; "already-gone":
 * it had exited before the signal reached it. Still there after `waitMs`: LauncherSurvived, so
 * `launcher kill` and `launcher stop` never claim what did not happen.
 */
export const signalLauncher = Effect.fn("signalLauncher")(function* <R>(
  record: PidRecord,
  signal: SignalName,
  waitMs: number,
  isLive: (record: PidRecord) => Effect.Effect<boolean, never, R>
) {
  const signals = yield* Signals
  const sent = yield* signals.send(record.pid, signal).pipe(
    Effect.as(true),
    Effect.catchTag("ProcessGone", () => Effect.succeed(false))
  )
  if (!sent) return "already-gone" as const
  const start = yield* Clock.currentTimeMillis
  for (;;) {
    if (!(yield* isLive(record))) return "gone" as const
    if ((yield* Clock.currentTimeMillis) - start >= waitMs) {
      return yield* LauncherSurvived.after(record.pid, signal, waitMs)
    }
    yield* Effect.sleep(pollMs)
  }
})
