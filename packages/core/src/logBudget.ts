/**
 * Which rotated log files to delete so the fleet's logs stay within their budget: `keep` files
 * per agent, `max_total` bytes for all agents, `keep_free` space left on the disk. Pure: the
 * caller measures the files and the filesystem, and deletes what this returns.
 */
import type { FleetLogBudget, KeepFree } from "./LogSettings.ts"

/** A rotated file; `newestAt` is the time of its newest line (the file's mtime), epoch ms. */
export interface RotatedFile {
  readonly name: string
  readonly bytes: number
  readonly newestAt: number
}

export interface AgentLogUsage {
  readonly id: string
  readonly currentBytes: number
  /** Oldest first. */
  readonly rotated: ReadonlyArray<RotatedFile>
  readonly keep: number
  readonly minKeep: number
}

export interface DiskSpace {
  readonly totalBytes: number
  readonly freeBytes: number
}

export interface Eviction {
  readonly id: string
  readonly name: string
  readonly bytes: number
  /** The rule the file was deleted for. */
  readonly reason: "keep" | "max_total" | "keep_free"
}

const sum = (ns: ReadonlyArray<number>): number => ns.reduce((a, b) => a + b, 0)

const agentTotal = (agent: { readonly currentBytes: number; readonly rotated: ReadonlyArray<RotatedFile> }) =>
  agent.currentBytes + sum(agent.rotated.map((f) => f.bytes))

/** Every agent's logs together, current and rotated, in bytes. */
export const logUsageTotal = (agents: ReadonlyArray<AgentLogUsage>): number => sum(agents.map(agentTotal))

/** The free space `keep_free` asks for on a disk of this size, in bytes (a share rounds up: never less than asked). */
export const keepFreeBytes = (keepFree: KeepFree, disk: DiskSpace): number =>
  keepFree._tag === "Bytes" ? keepFree.bytes : Math.ceil((disk.totalBytes * keepFree.percent) / 100)

interface Candidate {
  readonly id: string
  readonly file: RotatedFile
}

// Code units, not locale: the same plan on every machine.
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Older first; equal times by agent id, then by name, so a plan never depends on the input's order. */
const byAge = (a: Candidate, b: Candidate): number =>
  a.file.newestAt - b.file.newestAt || compareText(a.id, b.id) || compareText(a.file.name, b.file.name)

const evict = ({ id, file }: Candidate, reason: Eviction["reason"]): Eviction => ({
  id,
  name: file.name,
  bytes: file.bytes,
  reason
})

/**
 * The files to delete, in the order to delete them. First each agent's rotated files beyond its
 * `keep`, oldest first. Then, while the fleet is over `max_total` or (given the disk) its free
 * space, counting what is already planned, is under `keep_free`: the oldest rotated file left
 * across all agents, unless deleting it would leave its agent under `min_keep` bytes, current
 * file included. Current files are never deleted.
 *
 * An agent loses history from its oldest end only: once its oldest remaining file is held back
 * by `min_keep`, so are its newer ones, even a smaller one that would fit. Deleting a newer file
 * past a kept older one would leave a hole in the middle of its log, which reads as output that
 * never happened; the budget then falls on other agents, or stays unmet.
 */
export const planEviction = (
  agents: ReadonlyArray<AgentLogUsage>,
  budget: FleetLogBudget,
  disk: DiskSpace | null
): ReadonlyArray<Eviction> => {
  const overKeep = agents.flatMap((agent) =>
    agent.rotated.slice(0, Math.max(0, agent.rotated.length - agent.keep)).map((file) => ({ id: agent.id, file }))
  )
  const evictions = overKeep.toSorted(byAge).map((c) => evict(c, "keep"))
  // Per agent: its next file to go (rotated[next]), what it holds now, and whether min_keep stopped it.
  const state = agents.map((agent) => {
    const next = Math.max(0, agent.rotated.length - agent.keep)
    return { agent, next, bytes: agent.currentBytes + sum(agent.rotated.slice(next).map((f) => f.bytes)), held: false }
  })
  let total = sum(state.map((a) => a.bytes))
  let freed = sum(evictions.map((e) => e.bytes))
  const wantFree = disk === null ? 0 : keepFreeBytes(budget.keepFree, disk)

  for (;;) {
    const shortOfFree = disk !== null && disk.freeBytes + freed < wantFree
    if (!shortOfFree && total <= budget.maxTotal) break
    let oldest: { readonly at: (typeof state)[number]; readonly candidate: Candidate } | undefined
    for (const at of state) {
      const file = at.agent.rotated[at.next]
      if (at.held || file === undefined) continue
      // For good: what the agent holds only shrinks when its own files go, and they no longer do.
      if (at.bytes - file.bytes < at.agent.minKeep) at.held = true
      else if (oldest === undefined || byAge({ id: at.agent.id, file }, oldest.candidate) < 0)
        oldest = { at, candidate: { id: at.agent.id, file } }
    }
    if (oldest === undefined) break
    const { at, candidate } = oldest
    at.next++
    at.bytes -= candidate.file.bytes
    total -= candidate.file.bytes
    freed += candidate.file.bytes
    // Both unmet: keep_free is named, as the more urgent; a full disk fails every program on it,
    // where max_total is only this fleet's own limit.
    evictions.push(evict(candidate, shortOfFree ? "keep_free" : "max_total"))
  }
  return evictions
}
