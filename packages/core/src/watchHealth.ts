/**
 * The probes of one running instance, as a fiber beside the one that waits for its exit
 * (superviseAgent races the two). Kubernetes' order: the startup probe alone until it passes,
 * then liveness and readiness together. It ends only with a verdict — the startup or liveness
 * probe failed `failure_threshold` times in a row — and the supervisor restarts the agent for it;
 * readiness never ends it, it only moves the instance between `starting`, `ready` and `unhealthy`.
 */
import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import type { AgentSpec } from "./AgentConfig.ts"
import type { AgentStore } from "./AgentStore.ts"
import { formatDurationMs } from "./Duration.ts"
import type { FleetSettings } from "./FleetSettings.ts"
import type { ConfigSource } from "./ConfigSource.ts"
import type { Fleet } from "./Fleet.ts"
import type { HealthName } from "./Health.ts"
import { describeCheck, type ProbeKind, probesOf, type ProbeSpec } from "./HealthSpec.ts"
import { healthOf, judge, pendingStanding, type Standing, transition } from "./probeJudge.ts"
import type { ProbeResult, ProbeStatus } from "./ProbeResult.ts"
import { ProbeRunner } from "./ProbeRunner.ts"
import { ReadinessNotices } from "./ReadinessNotices.ts"
import { probeBase, runProbe, targetOf } from "./probeTarget.ts"

/** Why the launcher ends an instance itself; the supervisor stops it and counts it like a crash. */
export interface Verdict {
  readonly reason: "unhealthy" | "memory"
  readonly message: string
}

/** How much longer than its own timeout a probe may take before the launcher stops waiting for it. */
const runnerGraceMs = 1000

type Standings = Partial<Record<ProbeKind, Standing>>

const statusesOf = (spec: AgentSpec, standings: Standings): ReadonlyArray<ProbeStatus> =>
  probesOf(spec.config.health).map(([kind, probe]) => ({
    kind,
    check: describeCheck(probe),
    ...(standings[kind] ?? pendingStanding)
  }))

/** `notified`: whether an agent with `notify: true` has said it is ready (null without notify). */
const healthFrom = (
  spec: AgentSpec,
  standings: Standings,
  wasReady: boolean,
  notified: boolean | null
): HealthName | null => {
  const { health } = spec.config
  const at = (kind: ProbeKind) => (health[kind] === undefined ? null : (standings[kind] ?? pendingStanding))
  return healthOf({
    startup: at("startup"),
    liveness: at("liveness"),
    readiness: at("readiness"),
    notified,
    wasReady
  })
}

/**
 * An adopted instance's notification went to the launcher before this one (or to /dev/null,
 * started daemonless): it has been running all along, so it is taken as having given it.
 */
const notifiedAtStart = (spec: AgentSpec, adopted: boolean): boolean | null => (spec.config.notify ? adopted : null)

/** The health and probe list a new instance starts with: set with its `Running` status, in one update. */
export const initialHealth = (
  spec: AgentSpec,
  adopted: boolean
): { readonly health: HealthName | null; readonly probes: ReadonlyArray<ProbeStatus> } => ({
  health: healthFrom(spec, {}, false, notifiedAtStart(spec, adopted)),
  probes: statusesOf(spec, {})
})

/** The verdict on a startup or liveness probe that reached its failure threshold. */
const failed = (kind: ProbeKind, s: Standing): Verdict => ({
  reason: "unhealthy",
  message: `${kind} probe failed ${s.failures} time${s.failures === 1 ? "" : "s"} in a row${s.last === null ? "" : `: ${s.last.output}`}`
})

/** Whether an instance of this agent has anything for watchHealth to watch: a probe or a notification. */
export const watchesHealth = (spec: AgentSpec): boolean => spec.config.notify || probesOf(spec.config.health).length > 0

/** Call only when `watchesHealth(spec)`: with nothing to watch, it never ends. */
export const watchHealth = (
  store: AgentStore,
  settings: FleetSettings,
  spec: AgentSpec,
  since: number,
  adopted: boolean
): Effect.Effect<Verdict, never, ProbeRunner | ReadinessNotices | Path.Path | ConfigSource | Fleet> =>
  Effect.gen(function* () {
    const runner = yield* ProbeRunner
    const notices = yield* ReadinessNotices
    const id = spec.config.agent.id
    const base = yield* probeBase(settings, spec, since)
    let notified = notifiedAtStart(spec, adopted)
    const standings: Standings = {}
    let wasReady = false

    const record = (kind: ProbeKind, result: ProbeResult) =>
      Effect.gen(function* () {
        const was = standings[kind] ?? pendingStanding
        const now = judge(spec.config.health[kind]!, was, result)
        standings[kind] = now
        const health = healthFrom(spec, standings, wasReady, notified)
        if (health === "ready") wasReady = true
        const message = transition(kind, spec.config.health[kind]!, was, now)
        yield* store.update(id, (s) => ({ ...s, health, probes: statusesOf(spec, standings) }), message ?? undefined)
        return now
      })

    const runOnce = (kind: ProbeKind, probe: ProbeSpec) =>
      runProbe(base, kind, probe).pipe(
        Effect.timeoutOrElse({
          duration: probe.timeout + runnerGraceMs,
          orElse: () =>
            Effect.map(
              Effect.clockWith((c) => c.currentTimeMillis),
              (at): ProbeResult => ({
                ok: false,
                at: at - probe.timeout - runnerGraceMs,
                ms: probe.timeout + runnerGraceMs,
                output: `no answer within ${formatDurationMs(probe.timeout)}`,
                error: null
              })
            )
        })
      )

    /** Run every `period` until `done` says the standing is final; returns that standing. */
    const polled = (kind: ProbeKind, probe: ProbeSpec, done: (s: Standing) => boolean) =>
      Effect.gen(function* () {
        yield* Effect.sleep(probe.initial_delay)
        for (;;) {
          const standing = yield* record(kind, yield* runOnce(kind, probe))
          if (done(standing)) return standing
          yield* Effect.sleep(probe.period)
        }
      })

    /**
     * A `log` probe passes the moment its line appears (it cannot fail after: a line seen stays
     * seen). Its deadline, for a startup probe, is the time the thresholds give an exec probe.
     */
    const logged = (kind: ProbeKind, probe: ProbeSpec, deadline: boolean) =>
      Effect.gen(function* () {
        yield* Effect.sleep(probe.initial_delay)
        const seen = runner.awaitLine(targetOf(base, kind, probe))
        const withinMs = probe.failure_threshold * probe.period
        const missed = Effect.map(
          Effect.clockWith((c) => c.currentTimeMillis),
          (at): ProbeResult => ({
            ok: false,
            at,
            ms: withinMs,
            output: `no line matching /${probe.log}/ within ${formatDurationMs(withinMs)}`,
            error: null
          })
        )
        const result = deadline
          ? yield* seen.pipe(Effect.timeoutOrElse({ duration: withinMs, orElse: () => missed }))
          : yield* seen
        // Judged as the whole streak it stands for: a miss is failure_threshold failures.
        standings[kind] = result.ok
          ? { ...pendingStanding, successes: probe.success_threshold - 1 }
          : { ...pendingStanding, failures: probe.failure_threshold - 1 }
        return yield* record(kind, result)
      })

    // With notify: the notification whenever it comes, beside the probes; it never ends the watch.
    const notice =
      notified === false
        ? Effect.flatMap(notices.await(id, since), (at) =>
            Effect.suspend(() => {
              notified = true
              const health = healthFrom(spec, standings, wasReady, notified)
              if (health === "ready") wasReady = true
              return store.update(
                id,
                (s) => ({ ...s, health }),
                `notified it is ready, ${formatDurationMs(Math.max(0, at - since))} after it started`
              )
            })
          )
        : Effect.void

    const judged = Effect.gen(function* () {
      const { startup, liveness, readiness } = spec.config.health
      if (startup !== undefined) {
        const s =
          startup.log !== undefined
            ? yield* logged("startup", startup, true)
            : yield* polled("startup", startup, (st) => st.state === "passing" || st.state === "failing")
        if (s.state === "failing") return failed("startup", s)
      }
      const ready =
        readiness === undefined
          ? Effect.never
          : Effect.andThen(
              readiness.log !== undefined
                ? logged("readiness", readiness, false)
                : polled("readiness", readiness, () => false),
              Effect.never
            )
      const live =
        liveness === undefined
          ? Effect.never
          : Effect.map(
              polled("liveness", liveness, (st) => st.state === "failing"),
              (s) => failed("liveness", s)
            )
      // Nothing judged yet but the startup probe passed: an agent with only a startup probe is ready now.
      if (startup !== undefined) {
        yield* store.update(id, (s) => ({ ...s, health: healthFrom(spec, standings, wasReady, notified) }))
      }
      return yield* Effect.raceFirst(live, ready)
    })
    return yield* Effect.raceFirst(judged, Effect.andThen(notice, Effect.never))
  })
