import * as Data from "effect/Data"
import type { AgentSpec } from "./AgentConfig.ts"
import type { AgentState } from "./AgentStore.ts"
import type { DependencyCondition } from "./DependsOn.ts"
import { formatDurationMs } from "./Duration.ts"
import { describeCheck, type ProbeSpec } from "./HealthSpec.ts"
import type { ProbeResult } from "./ProbeResult.ts"
import { quoted } from "./printable.ts"
import { describeExit } from "./statusText.ts"

/*
 * Whether a dependency's state meets the condition its dependent waits for, pure over the
 * launcher's state of it: met, not yet (it may still get there), or never without someone's
 * help (it gave up, it was stopped): then its dependents fail at once instead of waiting out the
 * timeout.
 */

export type Judgement =
  | { readonly _tag: "Met" }
  | { readonly _tag: "Waiting" }
  /** `reason` completes `dependency "db" …`. */
  | { readonly _tag: "Failed"; readonly reason: string }

const met: Judgement = { _tag: "Met" }
const waiting: Judgement = { _tag: "Waiting" }
const failed = (reason: string): Judgement => ({ _tag: "Failed", reason })

/**
 * The agent has a startup or readiness probe: until its health says `ready`, it is not (a null
 * health there is one not judged yet). Without one, running is ready.
 */
export const hasReadinessGate = (spec: AgentSpec): boolean =>
  spec.config.health.startup !== undefined || spec.config.health.readiness !== undefined

/** `gated`: the dependency has a readiness gate (hasReadinessGate), so a null health is "not judged yet". */
export const judgeDependency = (condition: DependencyCondition, state: AgentState, gated: boolean): Judgement => {
  const s = state.status
  switch (s._tag) {
    case "Running":
      if (condition === "started") return met
      if (condition === "ready") return state.health === "ready" || (state.health === null && !gated) ? met : waiting
      return waiting
    case "Exited":
      if (condition !== "completed") return failed(`exited (${describeExit(s.exit)}) and is not restarted`)
      if (s.exit.code === 0) return met
      return s.exit.code === null && s.exit.signal === null
        ? failed("exited while no launcher watched it: its exit code is unknown")
        : failed(`did not complete: ${describeExit(s.exit)}`)
    case "GaveUp":
      return failed(`gave up after ${s.failures} failures (last: ${describeExit(s.exit)})`)
    case "Stopped":
      return failed("is not running (stopped)")
    case "Stopping":
      return failed("is stopping")
    case "Disabled":
      return failed("is disabled")
    case "Invalid":
      return failed(`has an invalid config (${s.file})`)
    // It may still get there: starting, restarting after a crash, or briefly unreadable.
    case "Starting":
    case "Backoff":
    case "Unknown":
      return waiting
  }
}

/** What the dependency is doing, for an error that says why it did not get there in time. */
export const stateInWords = (state: AgentState): string => {
  const s = state.status
  switch (s._tag) {
    case "Running":
      return state.health === null ? "it is running" : `it is running, health ${state.health}`
    case "Starting":
      return "it is starting"
    case "Backoff":
      return `it crashed (${describeExit(s.exit)}) and waits to restart`
    case "Unknown":
      return `its state is unknown: ${s.error}`
    case "Exited":
      return `it exited (${describeExit(s.exit)})`
    case "GaveUp":
      return "it gave up"
    case "Stopped":
      return "it is stopped"
    case "Stopping":
      return "it is stopping"
    case "Disabled":
      return "it is disabled"
    case "Invalid":
      return "its config is invalid"
  }
}

const conditionVerb: Record<DependencyCondition, string> = {
  started: "start",
  ready: "become ready",
  completed: "complete"
}

/** A dependency kept its dependent from starting; `detail` completes `dependency "db" …`. */
export class DependencyNotMet extends Data.TaggedError("DependencyNotMet")<{
  readonly dependency: string
  readonly detail: string
}> {
  override get message() {
    return `dependency ${quoted(this.dependency)} ${this.detail}`
  }
  static failed(dependency: string, reason: string) {
    return new DependencyNotMet({ dependency, detail: reason })
  }
  static timedOut(dependency: string, condition: DependencyCondition, timeoutMs: number, state: AgentState) {
    return new DependencyNotMet({
      dependency,
      detail: `did not ${conditionVerb[condition]} within ${formatDurationMs(timeoutMs)} (${stateInWords(state)})`
    })
  }
  /** Without a launcher: its readiness probe, run here, did not pass in time; `last` is what it said last. */
  static probeTimedOut(dependency: string, timeoutMs: number, probe: ProbeSpec, last: ProbeResult | null) {
    const said = last === null ? "not run yet" : (last.error ?? (last.output === "" ? "failed" : last.output))
    return new DependencyNotMet({
      dependency,
      detail: `did not become ready within ${formatDurationMs(timeoutMs)} (readiness probe ${describeCheck(probe)}: ${said})`
    })
  }
  static didNotStart(dependency: string, error: string | null) {
    return new DependencyNotMet({ dependency, detail: `failed to start: ${error ?? "no reason given"}` })
  }
}
