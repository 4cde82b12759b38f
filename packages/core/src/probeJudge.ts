/**
 * How probe results become a verdict, as in Kubernetes: a probe turns `failing` after
 * `failure_threshold` failures in a row and `passing` after `success_threshold` successes in a
 * row; between, it keeps its standing. A probe that could not run (`error`) is not a failure of
 * the agent: it counts neither way, and says so. Pure, so thresholds are tested by tables.
 */
import type { HealthName } from "./Health.ts"
import type { ProbeKind, ProbeSpec } from "./HealthSpec.ts"
import type { ProbeResult, ProbeStatus } from "./ProbeResult.ts"

export type Standing = Pick<ProbeStatus, "state" | "failures" | "successes" | "last">

export const pendingStanding: Standing = { state: "pending", failures: 0, successes: 0, last: null }

export const judge = (
  probe: Pick<ProbeSpec, "failure_threshold" | "success_threshold">,
  was: Standing,
  result: ProbeResult
): Standing => {
  if (result.error !== null) return { ...was, state: "error", last: result }
  // An error said nothing about the agent: the standing before it is what the next result builds on.
  const before =
    was.state === "error" ? (was.failures > 0 ? "failing" : was.successes > 0 ? "passing" : "pending") : was.state
  if (result.ok) {
    const successes = was.successes + 1
    const state = successes >= probe.success_threshold ? "passing" : before
    return { state, failures: 0, successes, last: result }
  }
  const failures = was.failures + 1
  const state = failures >= probe.failure_threshold ? "failing" : before
  return { state, failures, successes: 0, last: result }
}

/** What changed between two standings that a person would want an event for (never a pass that changes nothing). */
export const transition = (
  kind: ProbeKind,
  probe: Pick<ProbeSpec, "failure_threshold">,
  was: Standing,
  now: Standing
): string | null => {
  const said = now.last === null ? "" : `: ${now.last.error ?? now.last.output}`
  if (now.state !== was.state) {
    switch (now.state) {
      case "error":
        return `${kind} probe could not run${said}`
      case "passing":
        return `${kind} probe passing`
      case "failing":
        return `${kind} probe failing (${now.failures} in a row)${said}`
      case "pending":
        return `${kind} probe runs again${said}`
    }
  }
  // The first failure of a streak is news before the threshold makes it a verdict.
  if (now.failures === 1 && was.failures === 0) return `${kind} probe failed (1 of ${probe.failure_threshold})${said}`
  return null
}

export interface HealthInput {
  readonly startup: Standing | null
  readonly liveness: Standing | null
  readonly readiness: Standing | null
  /** Whether this instance has been ready once: a readiness probe failing after is `unhealthy`, before `starting`. */
  readonly wasReady: boolean
}

/** The instance's health from its probes' standings; null for an agent without probes. */
export const healthOf = (input: HealthInput): HealthName | null => {
  const { startup, liveness, readiness, wasReady } = input
  if (startup === null && liveness === null && readiness === null) return null
  if (startup !== null && startup.state !== "passing") return "starting"
  if (liveness?.state === "failing") return "unhealthy"
  if (readiness === null || readiness.state === "passing") return "ready"
  if (readiness.state === "failing") return wasReady ? "unhealthy" : "starting"
  // pending or error: no new verdict on a ready instance.
  return wasReady ? "ready" : "starting"
}
