import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import type { AgentSpec } from "./AgentConfig.ts"
import { agentEnv } from "./AgentEnv.ts"
import type { Targets } from "./Control.ts"
import { toRecord } from "./env.ts"
import { type AgentNotFound, type ConfigInvalid, UsageError } from "./Errors.ts"
import { Fleet } from "./Fleet.ts"
import { type LoadedFleet, loadFleet, requireAgent } from "./FleetLoader.ts"
import { indexSnapshot, type Instance, liveMembers, resolveAgent, type SnapshotIndex } from "./Identity.ts"
import { type RecordRead, resolveAll } from "./Listing.ts"
import { newSalt, recordSpawn, spawnIntent } from "./spawnDrift.ts"
import type { StopOutcome } from "./Outcomes.ts"
import { Prober } from "./Prober.ts"
import { RunDir } from "./RunDir.ts"
import { type SignalName, Signals } from "./Signals.ts"
import { Spawner } from "./Spawner.ts"
import { resolveLogSettings } from "./LogSettings.ts"

/*
 * What agentctl does to agents' processes, shared by both ways of running a fleet: the
 * daemonless commands (Daemonless.ts) and the launcher (Supervisor.ts). Pid records, spawning,
 * signalling and stopping, each acting only on processes identified by evidence (Identity.ts).
 */

/** How often stop and kill look at the process table while waiting for agents to exit. */
export const pollIntervalMs = 100
/**
 * How soon they look again after a signal: most agents end within milliseconds of SIGTERM, and
 * the kernel ends a SIGKILLed process at once, so a whole poll interval there is only latency
 * added to every stop. The looks after a signal come at 10, 20, 40 and 80 ms, then every
 * `pollIntervalMs`.
 */
export const afterKillPollMs = 10
const lookAfterSignal = (looks: number) => Math.min(pollIntervalMs, afterKillPollMs * 2 ** looks)
/** After SIGKILL, how long to wait for the kernel to tear processes down before reporting. */
export const killGraceMs = 2000

export const readRecords = Effect.fn("AgentProcesses.readRecords")(function* (ids: Iterable<string>) {
  const runDir = yield* RunDir
  const reads = yield* Effect.forEach(
    [...ids],
    (id) =>
      runDir.readPidRecord(id).pipe(
        Effect.map((r): RecordRead => r),
        // An unreadable record is reported on the agent's row; it must not hide the rest of the fleet.
        Effect.catchTag("FileError", (e) => Effect.succeed<RecordRead>({ unreadable: e.message })),
        Effect.map((r) => [id, r] as const)
      ),
    { concurrency: 32 }
  )
  return new Map(reads)
})

/**
 * Expand targets to specs; an unknown or invalid id fails before anything is done. `--all` is
 * every enabled agent when `allMeansEnabled` (start, restart), else every agent (stop, kill);
 * named ids are those agents, enabled or not.
 */
export const selectAgents = (
  fleet: LoadedFleet,
  targets: Targets,
  allMeansEnabled: boolean
): Effect.Effect<ReadonlyArray<AgentSpec>, UsageError | AgentNotFound | ConfigInvalid> => {
  if (targets._tag === "All") {
    return Effect.succeed([...fleet.agents.values()].filter((s) => !allMeansEnabled || s.config.agent.enabled))
  }
  if (targets.ids.length === 0) {
    return Effect.fail(new UsageError({ message: "name at least one agent id, or use --all" }))
  }
  return Effect.forEach([...new Set(targets.ids)], (id) => requireAgent(fleet, id))
}

/** Fleet, records and one snapshot, resolved together: the state every daemonless action starts from. */
export const observe = Effect.fn("AgentProcesses.observe")(function* (targets: Targets, allMeansEnabled: boolean) {
  const fleet = yield* loadFleet()
  const specs = yield* selectAgents(fleet, targets, allMeansEnabled)
  const records = yield* readRecords(specs.map((s) => s.config.agent.id))
  const snapshot = yield* (yield* Prober).snapshot
  const index = indexSnapshot(snapshot)
  const entries = specs.map((spec) => ({ _tag: "Valid" as const, spec }))
  return { fleet, resolved: resolveAll(fleet.root, entries, records, snapshot, index), index }
})

/** Start one agent known not to run: spawn detached, then record pid + start time. */
export const spawnAgent = Effect.fn("AgentProcesses.spawnAgent")(function* (fleet: LoadedFleet, spec: AgentSpec) {
  const path = yield* Path.Path
  const prober = yield* Prober
  const runDir = yield* RunDir
  const id = spec.config.agent.id
  const merged = yield* agentEnv(fleet.settings, spec)
  const cwd = path.resolve(spec.dir, spec.config.run.cwd)
  const spawnedWith = recordSpawn(spawnIntent(spec, cwd, merged), newSalt())
  const startedAt = yield* Clock.currentTimeMillis
  const spawned = yield* (yield* Spawner).spawn({
    id,
    command: spec.config.run.command,
    args: spec.config.run.args,
    cwd,
    env: toRecord(merged),
    logFile: runDir.logFile(id),
    logs: resolveLogSettings(fleet.settings.logs, spec.config.run.logs),
    notify: spec.config.notify
  })
  const { pid } = spawned
  // The start time is the other half of the identity; a process that already exited has none.
  const usage = yield* prober.usage(pid)
  const bootId = yield* prober.bootId
  const startTime = usage?.startTime ?? null
  yield* runDir.writePidRecord(id, { pid, startTime, bootId, startedAt, spawned: spawnedWith })
  return { pid, startTime, startedAt, exit: spawned.exit, spawnedWith }
})

/** Process groups of an instance's live members, across all its sessions. */
const groupsOf = (index: SnapshotIndex, instance: Instance): ReadonlyArray<number> => [
  ...new Set(liveMembers(index, instance).map((p) => p.pgid))
]

/** Signal every group of these instances; a group that is already gone is what we wanted. */
export const signalInstances = Effect.fnUntraced(function* (
  index: SnapshotIndex,
  instances: ReadonlyArray<Instance>,
  signal: SignalName
) {
  const signals = yield* Signals
  yield* Effect.forEach(
    [...new Set(instances.flatMap((i) => groupsOf(index, i)))],
    (pgid) => signals.sendGroup(pgid, signal).pipe(Effect.catchTag("ProcessGone", () => Effect.void)),
    { discard: true }
  )
})

export interface StopPlan {
  readonly id: string
  readonly instances: ReadonlyArray<Instance>
  readonly signal: SignalName
  readonly timeoutMs: number
  readonly staleRecord: boolean
  /** Instances of the agent that stay (the one adopted beside duplicates): never taken for sessions that appeared. */
  readonly keep?: ReadonlyArray<Instance>
}

const sessionKey = (i: Instance) => i.sessions.map((s) => `${s.sid}:${s.startTime}`).join(",")
/** An instance is its first session, whatever workers it started since. */
const leaderKey = (i: Instance) => `${i.pid}:${i.startTime}`

/**
 * Signal every plan's instances at once, then watch them all with ONE process-table snapshot per
 * tick: N stubborn agents cost one timeout, not N. Each tick also looks for sessions carrying the
 * agent's marker that were not there at the start (a worker the agent forked while stopping) and
 * signals them too, but never a plan's `keep`. Each plan escalates to SIGKILL at its own deadline. With `removeRecords`, the
 * agents' pid records go too (not when stopping duplicates beside an instance that stays).
 * `survivors`: pids still alive a grace period after SIGKILL (a process stuck in the kernel).
 * `endedAt`: when each plan's instances were first seen gone (unix ms), for its exit record.
 */
export const stopPlans = Effect.fn("AgentProcesses.stopPlans")(function* (
  plans: ReadonlyArray<StopPlan>,
  first: SnapshotIndex,
  options: { readonly removeRecords: boolean }
) {
  const prober = yield* Prober
  const runDir = yield* RunDir
  const { root } = yield* Fleet
  const known = new Map(plans.map((p) => [p.id, [...p.instances]]))
  const signalled = new Map(plans.map((p) => [p.id, new Set(p.instances.flatMap((i) => i.pids))]))
  const note = (id: string, index: SnapshotIndex, instances: ReadonlyArray<Instance>) => {
    const pids = signalled.get(id)!
    for (const i of instances) for (const p of liveMembers(index, i)) pids.add(p.pid)
  }
  yield* Effect.forEach(plans, (p) => signalInstances(first, p.instances, p.signal), { discard: true })
  const t0 = yield* Clock.currentTimeMillis
  const escalated = new Set<string>()
  let pending = plans.filter((p) => p.instances.length > 0)
  let lastKillAt = t0
  let index = first
  const endedAt = new Map<string, number>()
  /** Looks since the last signal went out (the first signal, or a SIGKILL). */
  let looksSinceSignal = 0
  /**
   * The next look: soon after a signal (lookAfterSignal), then a poll interval away, and never
   * later than the next deadline (a plan's SIGKILL, or the end of the grace once every plan
   * left was killed).
   */
  const untilNextLook = (now: number) => {
    const waiting = pending.filter((p) => !escalated.has(p.id))
    const deadlines =
      waiting.length > 0 ? waiting.map((p) => t0 + p.timeoutMs) : pending.length > 0 ? [lastKillAt + killGraceMs] : []
    return Math.max(0, Math.min(lookAfterSignal(looksSinceSignal), ...deadlines.map((d) => d - now)))
  }
  while (pending.length > 0) {
    yield* Effect.sleep(untilNextLook(yield* Clock.currentTimeMillis))
    looksSinceSignal++
    index = indexSnapshot(yield* prober.snapshotAfter(index.snapshot))
    const now = yield* Clock.currentTimeMillis
    for (const p of pending) {
      const seen = known.get(p.id)!
      const keys = new Set(seen.map(sessionKey))
      const kept = new Set((p.keep ?? []).map(leaderKey))
      const fresh = resolveAgent(index, root, p.id, null).instances.filter(
        (i) => !keys.has(sessionKey(i)) && !kept.has(leaderKey(i))
      )
      if (fresh.length > 0) {
        seen.push(...fresh)
        note(p.id, index, fresh)
        yield* signalInstances(index, fresh, escalated.has(p.id) ? "SIGKILL" : p.signal)
      }
    }
    pending = pending.filter((p) => {
      if (liveMembersOf(index, known.get(p.id)!).length > 0) return true
      endedAt.set(p.id, now)
      return false
    })
    for (const p of pending) {
      if (escalated.has(p.id) || now - t0 < p.timeoutMs) continue
      escalated.add(p.id)
      lastKillAt = now
      looksSinceSignal = 0
      yield* signalInstances(index, known.get(p.id)!, "SIGKILL")
    }
    if (pending.length > 0 && pending.every((p) => escalated.has(p.id)) && now - lastKillAt >= killGraceMs) break
  }
  if (options.removeRecords) {
    yield* Effect.forEach(plans, (p) => runDir.removePidRecord(p.id), { discard: true, concurrency: 32 })
  }
  const outcomes = plans.map((p): StopOutcome => ({
    id: p.id,
    result: p.instances.length > 0 ? "stopped" : "not-running",
    pids: [...signalled.get(p.id)!],
    escalated: escalated.has(p.id) && p.signal !== "SIGKILL",
    removedStaleRecord: p.staleRecord && options.removeRecords
  }))
  const survivors = new Map(
    pending.map((p) => [p.id, liveMembersOf(index, known.get(p.id)!).map((m) => m.pid)] as const)
  )
  return { outcomes, survivors, endedAt }
})

const liveMembersOf = (index: SnapshotIndex, instances: ReadonlyArray<Instance>) =>
  instances.flatMap((i) => liveMembers(index, i))
