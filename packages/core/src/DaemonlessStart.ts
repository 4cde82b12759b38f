import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Semaphore from "effect/Semaphore"
import type { AgentSpec } from "./AgentConfig.ts"
import { readRecords, selectAgents, spawnAgent } from "./AgentProcesses.ts"
import type { Targets } from "./Control.ts"
import { DependencyNotMet } from "./dependencyCondition.ts"
import { dependencyClosure, dependencyGraph, startLevels } from "./dependencyGraph.ts"
import type { Dependency } from "./DependsOn.ts"
import { Fleet } from "./Fleet.ts"
import { type LoadedFleet, loadFleet } from "./FleetLoader.ts"
import type { ProbeSpec } from "./HealthSpec.ts"
import { indexSnapshot } from "./Identity.ts"
import { type ResolvedAgent, resolveAll } from "./Listing.ts"
import type { StartOutcome } from "./Outcomes.ts"
import { Prober } from "./Prober.ts"
import type { ProbeResult } from "./ProbeResult.ts"
import { probeBase, runProbe } from "./probeTarget.ts"
import { RunDir } from "./RunDir.ts"

/*
 * `start` without a launcher, in `depends_on` order: what the targets need that does not run
 * is started too, each agent once its dependencies are up. Nothing watches the agents here, so
 * `started` is the spawn having returned; `ready` is that too, unless the dependency has a
 * readiness probe, which is then run (ProbeRunner) every period until it passes or the
 * dependency's timeout is up; `completed` cannot be seen at all (no exit codes without a
 * launcher): its dependents fail, saying so.
 */

/** At most this many spawns at once, as before there was an order. */
const spawnConcurrency = 16

/**
 * A dependency's readiness probe, run every `period` until it passes `success_threshold` times in
 * a row; `last` is what it said last. Without a launcher a log line carries no arrival time, so a
 * `log` probe matches any line of the agent's log (probeTarget.ts).
 */
const pollReadiness = (fleet: LoadedFleet, spec: AgentSpec, probe: ProbeSpec) =>
  Effect.gen(function* () {
    const base = yield* probeBase(fleet.settings, spec, null)
    let last: ProbeResult | null = null
    const poll = Effect.gen(function* () {
      if (probe.initial_delay > 0) yield* Effect.sleep(probe.initial_delay)
      for (let passed = 0; ;) {
        last = yield* runProbe(base, "readiness", probe)
        passed = last.ok ? passed + 1 : 0
        if (passed >= probe.success_threshold) return
        yield* Effect.sleep(probe.period)
      }
    })
    return { poll, last: () => last }
  })

export const start = Effect.fn("Daemonless.start")(function* (targets: Targets) {
  const fleet = yield* loadFleet()
  const { root } = yield* Fleet
  const runDir = yield* RunDir
  const prober = yield* Prober
  const chosen = (yield* selectAgents(fleet, targets, true)).map((s) => s.config.agent.id)
  const graph = dependencyGraph(fleet.agents.values())
  // Everything the targets could need, resolved against one snapshot.
  const seen = dependencyClosure(graph, chosen)
  const records = yield* readRecords(seen)
  const snapshot = yield* prober.snapshot
  const index = indexSnapshot(snapshot)
  const resolved = new Map(
    resolveAll(
      root,
      seen.flatMap((id) => {
        const spec = fleet.agents.get(id)
        return spec === undefined ? [] : [{ _tag: "Valid" as const, spec }]
      }),
      records,
      snapshot,
      index
    ).map((r): readonly [string, ResolvedAgent] => [r.entry.spec.config.agent.id, r])
  )
  const runs = (id: string) => (resolved.get(id)?.resolution.primary ?? null) !== null
  // A target that runs has nothing to wait for, nor anything to start for it. A `completed`
  // dependency is not started for its dependent: the dependent fails anyway.
  const ids = [
    ...new Set([
      ...chosen,
      ...dependencyClosure(
        graph,
        chosen.filter((id) => !runs(id)),
        (d, condition) => condition !== "completed" && !runs(d)
      )
    ])
  ]
  const outcomes = new Map(ids.map((id) => [id, Deferred.makeUnsafe<StartOutcome>()] as const))
  const spawns = yield* Semaphore.make(spawnConcurrency)

  const awaitDependency = (dependency: string, dep: Dependency) =>
    Effect.gen(function* () {
      if (dep.condition === "completed") {
        return yield* DependencyNotMet.failed(
          dependency,
          "is awaited until it completed, which only a launcher sees (agentctl launcher start): without one, no exit code is known"
        )
      }
      const own = outcomes.get(dependency)
      if (own !== undefined) {
        const o = yield* Deferred.await(own)
        if (o.result === "failed") return yield* DependencyNotMet.didNotStart(dependency, o.error)
      }
      const spec = fleet.agents.get(dependency)!
      const probe = spec.config.health.readiness
      if (dep.condition === "started" || probe === undefined) return
      const { poll, last } = yield* pollReadiness(fleet, spec, probe)
      const passed = yield* Effect.timeoutOption(poll, dep.timeout)
      if (passed._tag === "None") {
        return yield* DependencyNotMet.probeTimedOut(dependency, dep.timeout, probe, last())
      }
    })

  const startOne = (id: string) =>
    Effect.gen(function* () {
      const spec = fleet.agents.get(id)!
      const { primary, repair } = resolved.get(id)!.resolution
      if (primary !== null) {
        if (repair) {
          const record = { pid: primary.pid, startTime: primary.startTime, bootId: index.snapshot.bootId }
          yield* runDir.writePidRecord(id, { ...record, startedAt: yield* Clock.currentTimeMillis })
        }
        return { id, result: "already-running", pid: primary.pid, error: null } satisfies StartOutcome
      }
      const waited = yield* Effect.result(
        Effect.forEach(Object.entries(spec.config.depends_on), ([d, dep]) => awaitDependency(d, dep), {
          concurrency: "unbounded",
          discard: true
        })
      )
      if (waited._tag === "Failure") {
        return { id, result: "failed", pid: null, error: waited.failure.message } satisfies StartOutcome
      }
      return yield* spawns
        .withPermits(1)(spawnAgent(fleet, spec))
        .pipe(
          Effect.map(({ pid }): StartOutcome => ({ id, result: "started", pid, error: null })),
          Effect.catchTag("SpawnFailed", (e) =>
            Effect.succeed<StartOutcome>({ id, result: "failed", pid: null, error: e.message })
          )
        )
    }).pipe(
      // Its dependents wake whatever happened (an error here fails the whole start, as it always did).
      Effect.onExit((exit) =>
        Deferred.succeed(
          outcomes.get(id)!,
          exit._tag === "Success"
            ? exit.value
            : ({ id, result: "failed", pid: null, error: "the start failed" } satisfies StartOutcome)
        )
      )
    )

  const done = new Map(
    (yield* Effect.forEach(ids, startOne, { concurrency: "unbounded" })).map((o) => [o.id, o] as const)
  )
  const chosenSet = new Set(chosen)
  const dependencies = startLevels(
    graph,
    ids.filter((id) => !chosenSet.has(id))
  ).flat()
  return [...dependencies, ...chosen].map((id) => done.get(id)!)
})
