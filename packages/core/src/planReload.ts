import type { AgentSpec } from "./AgentConfig.ts"
import { canonicalJson } from "./canonicalJson.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import type { ReloadOutcome } from "./Outcomes.ts"

/*
 * What `reload` changes, decided from the fleet before and after re-reading its files and the
 * set of agents the launcher supervises now: pure, so every case is a row in a table test.
 */

/**
 * What a restart would apply: the config without `run.logs`, which the launcher applies to a
 * running agent's log as it is (rotation happens on our side of its pipe), so it is no reason
 * to restart anything.
 */
const restartRelevant = (spec: AgentSpec) => {
  const { logs: _appliedLive, ...run } = spec.config.run
  return { ...spec.config, run }
}

/** The same agent, run the same way: compared canonically (the order of `env` keys is not a change). */
export const sameSpec = (a: AgentSpec, b: AgentSpec): boolean =>
  a.file === b.file && a.dir === b.dir && canonicalJson(restartRelevant(a)) === canonicalJson(restartRelevant(b))

export const planReload = (before: LoadedFleet, after: LoadedFleet, supervised: ReadonlySet<string>): ReloadOutcome => {
  const started: Array<string> = []
  const stopped: Array<string> = []
  const restarted: Array<string> = []
  const unchanged: Array<string> = []
  const brokenNow = new Set(after.entries.flatMap((e) => (e._tag === "Invalid" && e.id !== null ? [e.id] : [])))
  const ids = [...new Set([...before.agents.keys(), ...after.agents.keys()])].toSorted()
  for (const id of ids) {
    const old = before.agents.get(id)
    const now = after.agents.get(id)
    const running = supervised.has(id)
    // A config that broke keeps what runs as it was; the invalid file is reported.
    if (now === undefined && brokenNow.has(id)) unchanged.push(id)
    else if (now === undefined || !now.config.agent.enabled) (running ? stopped : unchanged).push(id)
    else if (running) (old !== undefined && !sameSpec(old, now) ? restarted : unchanged).push(id)
    else if (old === undefined || !old.config.agent.enabled) started.push(id)
    else unchanged.push(id)
  }
  const invalid = after.entries.flatMap((e) => (e._tag === "Invalid" ? [{ file: e.file, error: e.error }] : []))
  return { started, stopped, restarted, unchanged, invalid }
}
