import type { AgentSpec } from "./AgentConfig.ts"
import type { ConfigEntry } from "./ConfigFile.ts"
import { quoted } from "./printable.ts"

/*
 * `depends_on:` checked across the fleet, once every file is parsed: a dependency that is not
 * there, whose config is invalid, or that is disabled while its dependent is enabled, and any
 * cycle, make the dependent's entry invalid, with an error naming the file, the field and the
 * agents involved (the whole cycle). Everything else in the fleet stays as it was. Pure: the
 * entries in, the entries out.
 */

/** The shortest path from `from` back to itself along valid dependencies, or null when there is none. */
const cycleThrough = (from: string, valid: ReadonlyMap<string, AgentSpec>): ReadonlyArray<string> | null => {
  const cameFrom = new Map<string, string>()
  let frontier = [from]
  while (frontier.length > 0) {
    const next: Array<string> = []
    for (const id of frontier) {
      for (const dep of Object.keys(valid.get(id)?.config.depends_on ?? {})) {
        if (!valid.has(dep)) continue
        if (dep === from) {
          const path = [from]
          for (let at = id; at !== from; at = cameFrom.get(at)!) path.splice(1, 0, at)
          return [...path, from]
        }
        if (cameFrom.has(dep)) continue
        cameFrom.set(dep, id)
        next.push(dep)
      }
    }
    frontier = next
  }
  return null
}

export const markDependencyIssues = (entries: ReadonlyArray<ConfigEntry>): ReadonlyArray<ConfigEntry> => {
  const valid = new Map<string, AgentSpec>()
  const invalidFile = new Map<string, string>()
  for (const e of entries) {
    if (e._tag === "Valid") valid.set(e.spec.config.agent.id, e.spec)
    else if (e.id !== null && !invalidFile.has(e.id)) invalidFile.set(e.id, e.file)
  }
  const problems = new Map<string, Array<string>>()
  const add = (id: string, problem: string) => problems.set(id, [...(problems.get(id) ?? []), problem])

  for (const [id, spec] of valid) {
    for (const dep of Object.keys(spec.config.depends_on)) {
      const target = valid.get(dep)
      if (target === undefined) {
        const file = invalidFile.get(dep)
        add(
          id,
          file === undefined
            ? `depends_on.${dep}: no agent ${quoted(dep)} in the fleet`
            : `depends_on.${dep}: the config of ${quoted(dep)} is invalid (${file})`
        )
      } else if (spec.config.agent.enabled && !target.config.agent.enabled) {
        add(
          id,
          `depends_on.${dep}: ${quoted(dep)} is disabled (agent.enabled: false in ${target.file}); enable it, or disable ${quoted(id)} too`
        )
      }
    }
    const cycle = cycleThrough(id, valid)
    if (cycle !== null) add(id, `depends_on.${cycle[1]}: depends_on cycle: ${cycle.join(" -> ")}`)
  }

  // An agent that waits for an invalid one could never start: invalid too, until nothing changes.
  for (let changed = true; changed;) {
    changed = false
    for (const [id, spec] of valid) {
      if (problems.has(id)) continue
      const broken = Object.keys(spec.config.depends_on).find((dep) => problems.has(dep))
      if (broken === undefined) continue
      add(id, `depends_on.${broken}: the config of ${quoted(broken)} is invalid (${valid.get(broken)!.file})`)
      changed = true
    }
  }

  return entries.map((e) => {
    if (e._tag !== "Valid") return e
    const found = problems.get(e.spec.config.agent.id)
    if (found === undefined) return e
    return {
      _tag: "Invalid",
      file: e.spec.file,
      id: e.spec.config.agent.id,
      error: `${e.spec.file}: ${found.join("; ")}`
    }
  })
}
