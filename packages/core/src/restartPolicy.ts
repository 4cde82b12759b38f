import type { RestartPolicy } from "./AgentConfig.ts"
import type { RestartSettings } from "./FleetSettings.ts"
import type { ExitInfo } from "./Status.ts"

/*
 * What the launcher does when a supervised agent exits: pure, so the schedule is tested
 * exactly (tables, no clock) and the supervisor only sleeps for what this returns.
 */

/** Delay before restart attempt `attempt` (1-based): initial × multiplier^(attempt-1), capped, ± jitter. */
export const backoffDelayMs = (settings: RestartSettings, attempt: number, random01: number): number => {
  const growth = settings.multiplier ** Math.max(0, attempt - 1)
  // After ~1000 attempts growth is Infinity, and 0 × Infinity would be a NaN delay.
  const base = settings.initial_delay === 0 ? 0 : Math.min(settings.max_delay, settings.initial_delay * growth)
  const factor = 1 + settings.jitter * (2 * random01 - 1)
  return Math.max(0, Math.round(Math.min(settings.max_delay, base * factor)))
}

/** A clean exit is code 0 without a signal; an exit we could not observe (adopted process) counts as a failure. */
export const isFailure = (exit: ExitInfo): boolean => exit.signal !== null || exit.code !== 0

export type RestartDecision =
  | { readonly _tag: "Exit" }
  | {
      readonly _tag: "Restart"
      readonly delayMs: number
      readonly attempt: number
      readonly failures: ReadonlyArray<number>
    }
  | { readonly _tag: "GiveUp"; readonly failures: ReadonlyArray<number> }

export interface RestartInput {
  readonly policy: RestartPolicy
  readonly settings: RestartSettings
  readonly exit: ExitInfo
  /** How long the process ran, ms. */
  readonly ranMs: number
  /** The attempt the process that just exited was started as (0 for the first start). */
  readonly attempt: number
  /** Times (unix ms) of earlier exits that led to restarts. */
  readonly failures: ReadonlyArray<number>
  readonly now: number
  readonly random01: number
  /** The launcher ended it (a failed liveness probe, over max_memory): a failure whatever its exit code. */
  readonly endedBy: "unhealthy" | "memory" | null
}

export const decideRestart = (input: RestartInput): RestartDecision => {
  const { policy, settings, exit, now } = input
  const failed = input.endedBy !== null || isFailure(exit)
  if (policy === "never" || (policy === "on-failure" && !failed)) return { _tag: "Exit" }
  const failures = [...input.failures.filter((t) => now - t < settings.failure_window), now]
  if (failures.length >= settings.max_failures) return { _tag: "GiveUp", failures }
  // After a stable run a crash is news, not a loop: restart at once and start the backoff over.
  if (input.ranMs >= settings.stable_after) return { _tag: "Restart", delayMs: 0, attempt: 0, failures }
  const attempt = input.attempt + 1
  return { _tag: "Restart", delayMs: backoffDelayMs(settings, attempt, input.random01), attempt, failures }
}
