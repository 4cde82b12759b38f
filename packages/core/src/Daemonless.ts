import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Path from "effect/Path"
import * as Stream from "effect/Stream"
import type { AgentSpec } from "./AgentConfig.ts"
import { agentEnv } from "./AgentEnv.ts"
import { setAgentEnabled } from "./configRewrite.ts"
import { ConfigSource } from "./ConfigSource.ts"
import { Control, type Targets } from "./Control.ts"
import { toRecord } from "./env.ts"
import { type AgentNotFound, ConfigInvalid, UsageError } from "./Errors.ts"
import type { Fleet } from "./Fleet.ts"
import { type LoadedFleet, loadFleet, requireAgent } from "./FleetLoader.ts"
import { indexSnapshot, type Instance, instancesGone, liveMembers, type SnapshotIndex } from "./Identity.ts"
import { daemonlessRows, type RecordRead, resolveAll } from "./Listing.ts"
import type { KillOutcome, StartOutcome, StopOutcome } from "./Outcomes.ts"
import { Prober } from "./Prober.ts"
import { RunDir } from "./RunDir.ts"
import { type SignalName, Signals } from "./Signals.ts"
import { Spawner } from "./Spawner.ts"

/** How often stop and kill look at the process table while waiting for agents to exit. */
export const pollIntervalMs = 100
/** After SIGKILL, how long to wait for the kernel to tear processes down before reporting. */
export const killGraceMs = 2000

export const readRecords = Effect.fn("Daemonless.readRecords")(function* (ids: Iterable<string>) {
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

/** Expand targets to specs; an unknown or invalid id fails before anything is done. */
export const selectAgents = (
  fleet: LoadedFleet,
  targets: Targets,
  onlyEnabled: boolean
): Effect.Effect<ReadonlyArray<AgentSpec>, UsageError | AgentNotFound | ConfigInvalid> => {
  if (targets._tag === "All") {
    return Effect.succeed([...fleet.agents.values()].filter((s) => !onlyEnabled || s.config.agent.enabled))
  }
  if (targets.ids.length === 0) {
    return Effect.fail(new UsageError({ message: "name at least one agent id, or use --all" }))
  }
  return Effect.forEach([...new Set(targets.ids)], (id) => requireAgent(fleet, id))
}

/** Fleet, records and one snapshot, resolved together: the state every action starts from. */
const observe = Effect.fn("Daemonless.observe")(function* (targets: Targets, onlyEnabled: boolean) {
  const fleet = yield* loadFleet()
  const specs = yield* selectAgents(fleet, targets, onlyEnabled)
  const records = yield* readRecords(specs.map((s) => s.config.agent.id))
  const snapshot = yield* (yield* Prober).snapshot
  const index = indexSnapshot(snapshot)
  const entries = specs.map((spec) => ({ _tag: "Valid" as const, spec }))
  return { fleet, resolved: resolveAll(fleet.root, entries, records, snapshot, index), index }
})

/** Rows for these entries: their pid records and one snapshot. */
const rowsOf = Effect.fnUntraced(function* (fleet: LoadedFleet, entries: LoadedFleet["entries"]) {
  const records = yield* readRecords(entries.flatMap((e) => (e._tag === "Valid" ? [e.spec.config.agent.id] : [])))
  const snapshot = yield* (yield* Prober).snapshot
  return daemonlessRows(fleet.root, entries, records, snapshot, yield* Clock.currentTimeMillis)
})

export const list = Effect.fn("Daemonless.list")(function* () {
  const fleet = yield* loadFleet()
  return yield* rowsOf(fleet, fleet.entries)
})

export const status = Effect.fn("Daemonless.status")(function* (id: string) {
  const fleet = yield* loadFleet()
  yield* requireAgent(fleet, id)
  const [row] = yield* rowsOf(
    fleet,
    fleet.entries.filter((e) => e._tag === "Valid" && e.spec.config.agent.id === id)
  )
  return row!
})

/** Start one agent known not to run: spawn detached, then record pid + start time. */
export const spawnAgent = Effect.fn("Daemonless.spawnAgent")(function* (fleet: LoadedFleet, spec: AgentSpec) {
  const path = yield* Path.Path
  const prober = yield* Prober
  const runDir = yield* RunDir
  const id = spec.config.agent.id
  const env = toRecord(yield* agentEnv(fleet.settings, spec))
  const startedAt = yield* Clock.currentTimeMillis
  const spawned = yield* (yield* Spawner).spawn({
    id,
    command: spec.config.run.command,
    args: spec.config.run.args,
    cwd: path.resolve(spec.dir, spec.config.run.cwd),
    env,
    logFile: runDir.logFile(id)
  })
  const { pid } = spawned
  // The start time is the other half of the identity; a process that already exited has none.
  const usage = yield* prober.usage(pid)
  const { bootId } = yield* prober.snapshot
  const startTime = usage?.startTime ?? null
  yield* runDir.writePidRecord(id, { pid, startTime, bootId, startedAt })
  return { pid, startTime, startedAt, exit: spawned.exit }
})

export const start = Effect.fn("Daemonless.start")(function* (targets: Targets) {
  const { fleet, resolved, index } = yield* observe(targets, targets._tag === "All")
  const runDir = yield* RunDir
  const now = yield* Clock.currentTimeMillis
  return yield* Effect.forEach(
    resolved,
    Effect.fnUntraced(function* (a) {
      const id = a.entry.spec.config.agent.id
      const { primary, repair } = a.resolution
      if (primary !== null) {
        if (repair) {
          const { bootId } = index.snapshot
          yield* runDir.writePidRecord(id, { pid: primary.pid, startTime: primary.startTime, bootId, startedAt: now })
        }
        return { id, result: "already-running", pid: primary.pid, error: null } satisfies StartOutcome
      }
      return yield* spawnAgent(fleet, a.entry.spec).pipe(
        Effect.map(({ pid }): StartOutcome => ({ id, result: "started", pid, error: null })),
        Effect.catchTag("SpawnFailed", (e) =>
          Effect.succeed<StartOutcome>({ id, result: "failed", pid: null, error: e.message })
        )
      )
    }),
    { concurrency: 16 }
  )
})

/** Process groups of an instance's live members (normally one: the leader's). */
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
    instances.flatMap((i) => groupsOf(index, i)),
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
}

/**
 * Signal every plan's instances at once, then watch them all with ONE process-table snapshot per
 * tick: N stubborn agents cost one timeout, not N. Each plan escalates to SIGKILL at its own deadline.
 */
export const stopPlans = Effect.fn("Daemonless.stopPlans")(function* (
  plans: ReadonlyArray<StopPlan>,
  first: SnapshotIndex
) {
  const prober = yield* Prober
  const runDir = yield* RunDir
  yield* Effect.forEach(plans, (p) => signalInstances(first, p.instances, p.signal), { discard: true })
  const t0 = yield* Clock.currentTimeMillis
  const escalated = new Set<string>()
  let pending = plans.filter((p) => p.instances.length > 0)
  let lastKillAt = t0
  while (pending.length > 0) {
    yield* Effect.sleep(pollIntervalMs)
    const index = indexSnapshot(yield* prober.snapshot)
    pending = pending.filter((p) => !instancesGone(index, p.instances))
    const now = yield* Clock.currentTimeMillis
    for (const p of pending) {
      if (escalated.has(p.id) || now - t0 < p.timeoutMs) continue
      escalated.add(p.id)
      lastKillAt = now
      yield* signalInstances(index, p.instances, "SIGKILL")
    }
    if (pending.length > 0 && pending.every((p) => escalated.has(p.id)) && now - lastKillAt >= killGraceMs) break
  }
  yield* Effect.forEach(plans, (p) => runDir.removePidRecord(p.id), { discard: true, concurrency: 32 })
  return plans.map((p): StopOutcome => ({
    id: p.id,
    result: p.instances.length > 0 ? "stopped" : "not-running",
    pids: p.instances.flatMap((i) => i.pids),
    escalated: escalated.has(p.id) && p.signal !== "SIGKILL",
    removedStaleRecord: p.staleRecord
  }))
})

export const stop = Effect.fn("Daemonless.stop")(function* (targets: Targets, timeoutMs?: number) {
  const { resolved, index } = yield* observe(targets, false)
  return yield* stopPlans(
    resolved.map((a) => ({
      id: a.entry.spec.config.agent.id,
      instances: a.resolution.instances,
      signal: a.entry.spec.config.run.stop_signal,
      timeoutMs: timeoutMs ?? a.entry.spec.config.run.stop_timeout,
      staleRecord: a.resolution.record === "stale"
    })),
    index
  )
})

export const kill = Effect.fn("Daemonless.kill")(function* (targets: Targets) {
  const { resolved, index } = yield* observe(targets, false)
  const outcomes = yield* stopPlans(
    resolved.map((a) => ({
      id: a.entry.spec.config.agent.id,
      instances: a.resolution.instances,
      signal: "SIGKILL" as const,
      timeoutMs: 0,
      staleRecord: a.resolution.record === "stale"
    })),
    index
  )
  return outcomes.map((o): KillOutcome => ({
    id: o.id,
    result: o.result === "stopped" ? "killed" : "not-running",
    pids: o.pids
  }))
})

export const restart = Effect.fn("Daemonless.restart")(function* (targets: Targets, timeoutMs?: number) {
  const stopped = yield* stop(targets, timeoutMs)
  const started = yield* start(targets)
  const byId = new Map(started.map((s) => [s.id, s]))
  return stopped.flatMap((s) => {
    const st = byId.get(s.id)
    return st === undefined ? [] : [{ stop: s, start: st }]
  })
})

export const setEnabled = Effect.fn("Daemonless.setEnabled")(function* (id: string, enabled: boolean) {
  const fleet = yield* loadFleet()
  const spec = yield* requireAgent(fleet, id)
  const source = yield* ConfigSource
  const text = yield* source.read(spec.file)
  if (text === null) return yield* new ConfigInvalid({ file: spec.file, message: `${spec.file} vanished` })
  const rewritten = setAgentEnabled(text, enabled)
  if (rewritten._tag === "Error") return yield* new ConfigInvalid({ file: spec.file, message: rewritten.message })
  if (rewritten.changed) yield* source.write(spec.file, rewritten.text)
  return { id, enabled, changed: rewritten.changed, file: spec.file }
})

type Requirements = Prober | Signals | Spawner | RunDir | ConfigSource | Path.Path | Fleet

/** Control without a launcher: every action acts on the OS directly and returns when done. */
export const layer = Layer.effect(
  Control,
  Effect.gen(function* () {
    const context = yield* Effect.context<Requirements>()
    const run = <A, E>(effect: Effect.Effect<A, E, Requirements>) => Effect.provideContext(effect, context)
    return Control.of({
      supervisor: "daemonless",
      list: run(list()),
      status: (id) => run(status(id)),
      start: (targets) => run(start(targets)),
      stop: (targets, timeoutMs) => run(stop(targets, timeoutMs)),
      restart: (targets, timeoutMs) => run(restart(targets, timeoutMs)),
      kill: (targets) => run(kill(targets)),
      setEnabled: (id, enabled) => run(setEnabled(id, enabled)),
      reload: Effect.fail(
        new UsageError({
          message: "reload applies config changes to a running launcher; none is running (agentctl launcher start)"
        })
      ),
      events: Stream.empty
    })
  })
)
