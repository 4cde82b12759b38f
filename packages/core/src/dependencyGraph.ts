import type { AgentSpec } from "./AgentConfig.ts"
import type { DependencyCondition, DependsOn } from "./DependsOn.ts"

/*
 * The fleet's `depends_on:` edges and the orders they give, pure: what a start must start too,
 * which agents may start together, which must stop first. Ids missing from the graph (a
 * dependency whose config is invalid) are left out: validation (dependencyIssues.ts) has made
 * such dependents invalid already, so a validated fleet has none, and no cycles.
 */

/** Each agent's `depends_on`, by id. */
export type DependencyGraph = ReadonlyMap<string, DependsOn>

export const dependencyGraph = (agents: Iterable<AgentSpec>): DependencyGraph =>
  new Map([...agents].map((s) => [s.config.agent.id, s.config.depends_on] as const))

/** The ids `id` depends on directly, in its config's order. */
export const dependenciesOf = (graph: DependencyGraph, id: string): ReadonlyArray<string> =>
  Object.keys(graph.get(id) ?? {}).filter((d) => graph.has(d))

/**
 * `ids` and what they need started with them: every dependency reached through an edge for which
 * `include(dependency, condition)` says yes (by default all of them), and theirs in turn. One
 * edge saying yes is enough, whatever the other edges into the same agent say. Targets first, in
 * their order, then dependencies as found.
 */
export const dependencyClosure = (
  graph: DependencyGraph,
  ids: ReadonlyArray<string>,
  include: (dependency: string, condition: DependencyCondition) => boolean = () => true
): ReadonlyArray<string> => {
  const seen = new Set<string>(ids)
  const work = [...seen]
  for (let next = work.pop(); next !== undefined; next = work.pop()) {
    for (const [dep, { condition }] of Object.entries(graph.get(next) ?? {})) {
      if (seen.has(dep) || !graph.has(dep) || !include(dep, condition)) continue
      seen.add(dep)
      work.push(dep)
    }
  }
  return [...seen]
}

/** The length of the longest path from each agent along `edges` (0: none leave it); a cycle counts once. */
const longestPaths = (nodes: Iterable<string>, edges: (id: string) => ReadonlyArray<string>) => {
  const memo = new Map<string, number>()
  const visiting = new Set<string>()
  const depth = (id: string): number => {
    const known = memo.get(id)
    if (known !== undefined) return known
    if (visiting.has(id)) return 0
    visiting.add(id)
    let d = 0
    for (const next of edges(id)) d = Math.max(d, depth(next) + 1)
    visiting.delete(id)
    memo.set(id, d)
    return d
  }
  for (const id of nodes) depth(id)
  return memo
}

/** `ids` grouped by `rank`, lowest first, each group in the order of `ids`; empty groups dropped. */
const groupBy = (ids: ReadonlyArray<string>, rank: ReadonlyMap<string, number>) => {
  const levels = new Map<number, Array<string>>()
  for (const id of new Set(ids)) {
    const r = rank.get(id) ?? 0
    levels.set(r, [...(levels.get(r) ?? []), id])
  }
  return [...levels.keys()].toSorted((a, b) => a - b).map((r) => levels.get(r)!)
}

/**
 * Start order: each agent in the level after its deepest dependency (measured over the whole
 * graph, so an order through an agent left out of `ids` holds too). Agents of one level do not
 * depend on each other and may start together.
 */
export const startLevels = (graph: DependencyGraph, ids: ReadonlyArray<string>): ReadonlyArray<ReadonlyArray<string>> =>
  groupBy(
    ids,
    longestPaths(graph.keys(), (id) => dependenciesOf(graph, id))
  )

/** Who depends on each agent directly. */
export const dependentsMap = (graph: DependencyGraph): ReadonlyMap<string, ReadonlyArray<string>> => {
  const dependents = new Map<string, Array<string>>()
  for (const id of graph.keys()) {
    for (const dep of dependenciesOf(graph, id)) dependents.set(dep, [...(dependents.get(dep) ?? []), id])
  }
  return dependents
}

/**
 * Stop order: dependents first. Each agent in the level after its furthest dependent, so an
 * agent nothing depends on stops in the first level, beside the ends of the longest chains.
 */
export const stopLevels = (
  graph: DependencyGraph,
  ids: ReadonlyArray<string>
): ReadonlyArray<ReadonlyArray<string>> => {
  const dependents = dependentsMap(graph)
  return groupBy(
    ids,
    longestPaths(graph.keys(), (id) => dependents.get(id) ?? [])
  )
}
