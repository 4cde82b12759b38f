import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Path from "effect/Path"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { StopSignal } from "./AgentConfig.ts"
import { observe, readRecords, selectAgents, type StopPlan, stopPlans } from "./AgentProcesses.ts"
import { indexSnapshot, resolveAgent } from "./Identity.ts"
import { entryId } from "./ConfigFile.ts"
import { setAgentEnabled } from "./configRewrite.ts"
import { ConfigSource } from "./ConfigSource.ts"
import { Control, type Targets } from "./Control.ts"
import { start as startInOrder } from "./DaemonlessStart.ts"
import type { AgentRow } from "./AgentRow.ts"
import { carryOut, defaultParallel, planned } from "./applyPlan.ts"
import { dependencyGraph, startLevels } from "./dependencyGraph.ts"
import { AgentNotFound, ConfigInvalid, type FileError, UsageError } from "./Errors.ts"
import type { Fleet } from "./Fleet.ts"
import { FleetLock } from "./FleetLock.ts"
import { startsNow } from "./FleetDrift.ts"
import { type LoadedFleet, loadFleet, requireAgent } from "./FleetLoader.ts"
import { fleetLogUsage } from "./fleetLogUsage.ts"
import { daemonlessRows, isRecord, recordedSpawns } from "./Listing.ts"
import type { ApplyOptions, KillOutcome } from "./Outcomes.ts"
import { type AgentFacts, planApply } from "./planApply.ts"
import { Prober } from "./Prober.ts"
import type { ProbeRunner } from "./ProbeRunner.ts"
import { recordStops } from "./recordExits.ts"
import { RunDir } from "./RunDir.ts"
import type { SignalName, Signals } from "./Signals.ts"
import type { Spawner } from "./Spawner.ts"

/*
 * Control without a launcher: every action acts on the OS directly and returns when done.
 * Reads (list, status) look at the files and one process-table snapshot; every change runs as
 * the fleet's one mutator (FleetLock), so two commands at once never start an agent twice.
 */

/** Rows for these entries: their pid records and one snapshot. */
const rowsOf = Effect.fnUntraced(function* (fleet: LoadedFleet, entries: LoadedFleet["entries"]) {
  const records = yield* readRecords(entries.flatMap((e) => (e._tag === "Valid" ? [e.spec.config.agent.id] : [])))
  const snapshot = yield* (yield* Prober).snapshot
  const pids = new Map([...records].flatMap(([id, r]) => (isRecord(r) ? [[id, r.pid] as const] : [])))
  const logs = yield* fleetLogUsage(
    fleet,
    entries.flatMap((e) => (e._tag === "Valid" ? [e.spec] : [])),
    pids
  )
  const starts = yield* startsNow(fleet, recordedSpawns(records))
  return daemonlessRows(fleet.root, entries, records, snapshot, yield* Clock.currentTimeMillis, logs, starts)
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

/** In `depends_on` order (DaemonlessStart.ts). */
export const start = startInOrder

/**
 * Stop these agents' instances, each with its own signal and timeout unless `override` says
 * otherwise, and record their exits. `unrecorded`: a history that could not be written (or a
 * corrupt one replaced), for the command to fail with once it has done what it was asked.
 */
const stopResolved = Effect.fnUntraced(function* (
  targets: Targets,
  override: { readonly signal: SignalName; readonly timeoutMs: number } | null,
  timeoutMs?: number
) {
  const { resolved, index } = yield* observe(targets, false)
  const plans = resolved.map((a) => ({
    id: a.entry.spec.config.agent.id,
    instances: a.resolution.instances,
    signal: override?.signal ?? a.entry.spec.config.run.stop_signal,
    timeoutMs: override?.timeoutMs ?? timeoutMs ?? a.entry.spec.config.run.stop_timeout,
    staleRecord: a.resolution.record === "stale"
  }))
  const { outcomes, endedAt } = yield* stopPlans(plans, index, { removeRecords: true })
  const unrecorded = yield* recordStops(
    outcomes.map((outcome, i) => ({
      plan: plans[i]!,
      outcome,
      primary: resolved[i]!.resolution.primary,
      endedAt: endedAt.get(outcome.id) ?? null
    })),
    override?.signal === "SIGKILL" ? "kill" : "stop",
    index.snapshot
  )
  return { outcomes, unrecorded }
})

/** The action's outcomes, or the history write that failed beside it. */
const recorded = <A>(outcomes: A, unrecorded: FileError | null) =>
  unrecorded === null ? Effect.succeed(outcomes) : Effect.fail(unrecorded)

export const stop = Effect.fn("Daemonless.stop")(function* (targets: Targets, timeoutMs?: number) {
  const { outcomes, unrecorded } = yield* stopResolved(targets, null, timeoutMs)
  return yield* recorded(outcomes, unrecorded)
})

export const kill = Effect.fn("Daemonless.kill")(function* (targets: Targets) {
  const { outcomes, unrecorded } = yield* stopResolved(targets, { signal: "SIGKILL", timeoutMs: 0 })
  yield* recorded(outcomes, unrecorded)
  return outcomes.map((o): KillOutcome => ({
    id: o.id,
    result: o.result === "stopped" ? "killed" : "not-running",
    pids: o.pids
  }))
})

export const restart = Effect.fn("Daemonless.restart")(function* (targets: Targets, timeoutMs?: number) {
  // `--all` restarts what `start --all` starts, as the launcher does: a disabled agent started
  // by id keeps running (stopping it here would stop it for good, and say nothing).
  const specs = yield* selectAgents(yield* loadFleet(), targets, true)
  if (specs.length === 0) return []
  const chosen: Targets = { _tag: "Ids", ids: specs.map((s) => s.config.agent.id) }
  const stopped = yield* stopResolved(chosen, null, timeoutMs)
  // The start answers for the chosen agents, after any dependency it had to start for them; a
  // history not written does not cancel the start.
  const started = new Map((yield* start(chosen)).map((o) => [o.id, o] as const))
  return yield* recorded(
    stopped.outcomes.map((outcome) => ({ stop: outcome, start: started.get(outcome.id)! })),
    stopped.unrecorded
  )
})

const runsNow = (name: AgentRow["status"]) => name === "running" || name === "starting" || name === "unknown"

const idsOf = (ids: ReadonlyArray<string>): Targets => ({ _tag: "Ids", ids })

const isStopSignal = Schema.is(StopSignal)

/**
 * Agents whose config is gone while they run: a pid record no config claims, naming a live
 * instance (by pid + start time, or its marker). Their facts for the plan, and how to stop them:
 * as their record says they were started to stop (signal and timeout), else SIGTERM and 5 s.
 * The process table is read only when there are such records.
 */
const runningOrphans = Effect.fnUntraced(function* (fleet: LoadedFleet) {
  const claimed = new Set(fleet.entries.flatMap((e) => entryId(e) ?? []))
  const ids = (yield* (yield* RunDir).recordedIds).filter((id) => !claimed.has(id))
  const facts: Array<AgentFacts> = []
  const plans = new Map<string, StopPlan>()
  if (ids.length === 0) return { facts, plans, stopThem: () => Effect.succeed([]) }
  const records = yield* readRecords(ids)
  const index = indexSnapshot(yield* (yield* Prober).snapshot)
  for (const id of ids) {
    const read = records.get(id) ?? null
    const record = isRecord(read) ? read : null
    const resolution = resolveAgent(index, fleet.root, id, record)
    if (resolution.primary === null) continue
    const settings = record?.spawned?.spec.settings
    const signal = settings?.stop_signal
    const timeout = settings?.stop_timeout
    plans.set(id, {
      id,
      instances: resolution.instances,
      signal: isStopSignal(signal) ? signal : "SIGTERM",
      timeoutMs: typeof timeout === "number" ? timeout : 5000,
      staleRecord: false
    })
    facts.push({
      id,
      config: "removed",
      enabled: false,
      running: true,
      drift: [{ _tag: "ConfigRemoved", file: record?.spawned?.file ?? `${fleet.root}/${fleet.settings.agents}` }],
      fresh: false
    })
  }
  const stopThem = (stopping: ReadonlyArray<string>) =>
    Effect.map(
      stopPlans(
        stopping.map((id) => plans.get(id)!),
        index,
        { removeRecords: true }
      ),
      (r) => r.outcomes
    )
  return { facts, plans, stopThem }
})

/** `apply` without a launcher: the fleet's rows (drift included) planned, then carried out under the caller's lock. */
export const apply = Effect.fn("Daemonless.apply")(function* (options: ApplyOptions) {
  const fleet = yield* loadFleet()
  for (const id of options.ids ?? []) {
    if (!fleet.entries.some((e) => entryId(e) === id)) {
      return yield* AgentNotFound.forId(id, [...fleet.agents.keys()])
    }
  }
  const rows = yield* rowsOf(fleet, fleet.entries)
  const runDir = yield* RunDir
  const facts: Array<AgentFacts> = []
  for (const row of rows) {
    if (row.id === null) continue
    // Without a launcher nothing remembers the fleet as it was: an agent is new when it never
    // ran (no exit history, nothing running), and then `apply` starts it.
    const ran = row.status !== "invalid" && (yield* runDir.readHistory(row.id)).exits.length > 0
    facts.push({
      id: row.id,
      config: row.status === "invalid" ? "invalid" : "valid",
      enabled: row.enabled,
      running: runsNow(row.status),
      drift: row.drift,
      fresh: !ran && row.detail._tag !== "Exited"
    })
  }
  const orphans = yield* runningOrphans(fleet)
  for (const o of orphans.facts) facts.push(o)
  const plan = planApply(facts, options.ids)
  if (options.dry_run === true) return planned(plan)
  const stopBoth = (ids: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const removed = ids.filter((id) => orphans.plans.has(id))
      const kept = ids.filter((id) => !orphans.plans.has(id))
      const own = kept.length === 0 ? [] : yield* stop(idsOf(kept))
      return removed.length === 0 ? own : [...own, ...(yield* orphans.stopThem(removed))]
    })
  return yield* carryOut(
    plan,
    { stop: stopBoth, restart: (ids) => restart(idsOf(ids)), start: (ids) => start(idsOf(ids)) },
    {
      parallel: options.parallel ?? defaultParallel,
      order: startLevels(dependencyGraph(fleet.agents.values()), [...fleet.agents.keys()])
    }
  )
})

export const history = Effect.fn("Daemonless.history")(function* (id: string) {
  yield* requireAgent(yield* loadFleet(), id)
  return yield* (yield* RunDir).readHistory(id)
})

export const setEnabled = Effect.fn("Daemonless.setEnabled")(function* (id: string, enabled: boolean) {
  const fleet = yield* loadFleet()
  const spec = yield* requireAgent(fleet, id)
  const source = yield* ConfigSource
  const text = yield* source.read(spec.file)
  if (text === null) return yield* ConfigInvalid.vanished(spec.file)
  const rewritten = setAgentEnabled(text, enabled)
  if (rewritten._tag === "Error") return yield* ConfigInvalid.because(spec.file, rewritten.message)
  if (rewritten.changed) yield* source.write(spec.file, rewritten.text)
  return { id, enabled, changed: rewritten.changed, file: spec.file }
})

type Requirements = Prober | Signals | Spawner | RunDir | ConfigSource | Path.Path | Fleet | FleetLock | ProbeRunner

export const layer = Layer.effect(
  Control,
  Effect.gen(function* () {
    const context = yield* Effect.context<Requirements>()
    const lock = yield* FleetLock
    const run = <A, E>(effect: Effect.Effect<A, E, Requirements>) => Effect.provideContext(effect, context)
    const mutate = <A, E>(effect: Effect.Effect<A, E, Requirements>) => lock.exclusive(run(effect))
    return Control.of({
      supervisor: "daemonless",
      list: run(list()),
      status: (id) => run(status(id)),
      history: (id) => run(history(id)),
      start: (targets) => mutate(start(targets)),
      stop: (targets, timeoutMs) => mutate(stop(targets, timeoutMs)),
      restart: (targets, timeoutMs) => mutate(restart(targets, timeoutMs)),
      kill: (targets) => mutate(kill(targets)),
      setEnabled: (id, enabled) => mutate(setEnabled(id, enabled)),
      apply: (options) => mutate(apply(options)),
      reload: Effect.fail(
        new UsageError({
          message: "reload applies config changes to a running launcher; none is running (agentctl launcher start)"
        })
      ),
      events: Stream.empty
    })
  })
)
