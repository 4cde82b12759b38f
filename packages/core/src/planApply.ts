import type { ApplyAction } from "./Outcomes.ts"
import { type DriftChange } from "./SpawnRecord.ts"
import { driftSummary } from "./spawnDrift.ts"

/*
 * `apply`: what to do to each agent to bring what runs to what the files say. Pure, over one
 * fact per agent, so every case is a row of a table test; the launcher and the daemonless
 * commands carry the plan out the same way (applyPlan.ts).
 */

export interface AgentFacts {
  readonly id: string
  /** What the files say of it now. */
  readonly config: "valid" | "invalid" | "removed"
  readonly enabled: boolean
  /** A live instance of it runs. */
  readonly running: boolean
  /** Its drift (null when none, or nothing runs). */
  readonly drift: ReadonlyArray<DriftChange> | null
  /**
   * New, or newly enabled: nothing has run it since its config said to. An enabled agent that
   * ran and was stopped (by a user, or by its policy) is not started by `apply`: a stop is a
   * decision, and `enabled` says what starts with the fleet, not what must run at every moment.
   */
  readonly fresh: boolean
}

export interface PlannedAction {
  readonly id: string
  readonly action: ApplyAction
  readonly reason: string
}

const decide = (f: AgentFacts): PlannedAction => {
  const { id } = f
  if (f.config === "invalid") {
    return { id, action: "none", reason: "config invalid: left as it is (agentctl validate)" }
  }
  if (f.config === "removed") {
    return f.running
      ? { id, action: "stop", reason: "config file removed" }
      : { id, action: "none", reason: "config file removed; not running" }
  }
  if (!f.enabled) {
    return f.running ? { id, action: "stop", reason: "disabled" } : { id, action: "none", reason: "disabled" }
  }
  if (!f.running) {
    return f.fresh
      ? { id, action: "start", reason: "new or newly enabled" }
      : { id, action: "none", reason: `not running (stopped or exited): agentctl start ${id} starts it` }
  }
  if (f.drift === null) return { id, action: "none", reason: "up to date" }
  // A drift that a restart cannot fix (a `.env` that does not parse) is reported, not acted on.
  if (f.drift.some((c) => c._tag === "ConfigInvalid")) {
    return { id, action: "none", reason: `${driftSummary(f.drift)}: left as it is (agentctl validate)` }
  }
  return { id, action: "restart", reason: `drifted: ${driftSummary(f.drift)}` }
}

/** One action per agent, in id order; `only`: the agents asked for (all when undefined). */
export const planApply = (
  facts: ReadonlyArray<AgentFacts>,
  only?: ReadonlyArray<string>
): ReadonlyArray<PlannedAction> => {
  const wanted = only === undefined ? null : new Set(only)
  return facts
    .filter((f) => wanted === null || wanted.has(f.id))
    .map(decide)
    .toSorted((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Restarts in waves of at most `parallel`, each wave after the ones it may depend on (`order`: dependencies first). */
export const restartWaves = (
  restarts: ReadonlyArray<string>,
  order: ReadonlyArray<ReadonlyArray<string>>,
  parallel: number
): ReadonlyArray<ReadonlyArray<string>> => {
  const wanted = new Set(restarts)
  const waves: Array<ReadonlyArray<string>> = []
  const seen = new Set<string>()
  for (const level of order) {
    const here = level.filter((id) => wanted.has(id) && !seen.has(id))
    for (const id of here) seen.add(id)
    for (let i = 0; i < here.length; i += parallel) waves.push(here.slice(i, i + parallel))
  }
  const rest = restarts.filter((id) => !seen.has(id))
  for (let i = 0; i < rest.length; i += parallel) waves.push(rest.slice(i, i + parallel))
  return waves
}
