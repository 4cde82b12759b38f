import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { ProbeFailed, ProcessGone, SignalDenied, SpawnFailed } from "../Errors.ts"
import { Prober } from "../Prober.ts"
import { OomKills } from "../OomKills.ts"
import { MarkerAgentVar, MarkerFleetVar, type ProcessInfo, type Snapshot } from "../ProcessTable.ts"
import { type SignalName, Signals } from "../Signals.ts"
import { type ForegroundRequest, type ProcessOutput, type SpawnRequest, Spawner } from "../Spawner.ts"

/** How a fake process reacts; set per agent id before it is spawned, or per pid when added by hand. */
export interface Behaviour {
  /** SIGTERM/SIGINT/... are ignored: only SIGKILL ends it. */
  readonly ignoresTerm?: boolean
  /** It exits this long after a catchable signal (graceful shutdown time). */
  readonly termDelayMs?: number
  /** It exits on its own this long after starting (a crash). */
  readonly crashAfterMs?: number
  /** It is a wrapper (`npx`, `sh -c`) that starts the real program as its child, in its session. */
  readonly wrapper?: boolean
  /** The exit code when it ends on its own or on a catchable signal (default: 1 after a crash, else 0). */
  readonly exitCode?: number
  /** spawn fails as if the command were not on PATH. */
  readonly notFound?: boolean
  /**
   * It starts a worker in a session of its own (`setsid worker &`), carrying its marker. The
   * worker lives on when the leader crashes; a catchable signal to its group ends it.
   */
  readonly worker?: boolean
  /** spawn dies with this defect (a bug somewhere below the supervisor). */
  readonly defect?: string
  /** Not even SIGKILL ends it: a process stuck in the kernel (state D), until `exit`. */
  readonly ignoresKill?: boolean
  /** Its session carries no marker: it cleared its environment (`env -i`), so only its pid record ties it to the agent. */
  readonly unmarked?: boolean
  /** spawn takes this long to return (a slow exec, a busy machine). */
  readonly spawnDelayMs?: number
  /** Resident memory of each of its processes (default 10 MiB). */
  readonly rssBytes?: number
  /** Each of its processes keeps this % of one core busy (default 0): CPU ticks grow with TestClock. */
  readonly cpuPercent?: number
}

/** What a foreground run (a build step) of a command does; the default prints nothing and exits 0. */
export interface RunScript {
  readonly output?: ReadonlyArray<{ readonly stream: "stdout" | "stderr"; readonly line: string }>
  readonly exitCode?: number
  /** It is killed by this signal (exit code null). */
  readonly signal?: string
  /** It cannot start: the command is not on PATH. */
  readonly notFound?: boolean
}

interface FakeProc {
  readonly info: ProcessInfo
  readonly behaviour: Behaviour
  /** Virtual time at which it is gone, or null while it runs. */
  readonly exitAt: number | null
}

interface State {
  readonly failingProbes: boolean
  readonly procs: ReadonlyMap<number, FakeProc>
  readonly nextPid: number
  readonly behaviours: ReadonlyMap<string, Behaviour>
  readonly scripts: ReadonlyMap<string, RunScript>
  readonly ran: ReadonlyArray<ForegroundRequest>
  readonly spawned: ReadonlyArray<SpawnRequest & { readonly pid: number; readonly at: number }>
  readonly signals: ReadonlyArray<{ readonly target: number; readonly group: boolean; readonly signal: SignalName }>
  /** Pids the fake OOM killer ended, in order: its count is the cgroup's `oom_kill`. */
  readonly oomKilled: ReadonlyArray<number>
}

export const fakeBootId = "fake-boot"
/** How often a fake child's exit is noticed: exits are seen up to this late, in virtual time. */
export const pollMs = 50
/** Virtual start times are milliseconds of TestClock: 1000 "ticks" per second. */
export const fakeTicksPerSecond = 1000

/**
 * A Ref-backed process table with a fake Prober, Signals and Spawner acting on it, driven by
 * TestClock: a 5 s stop escalation runs in microseconds and always the same way.
 */
export class FakeProcessTable extends Context.Service<
  FakeProcessTable,
  {
    readonly setBehaviour: (agentId: string, behaviour: Behaviour) => Effect.Effect<void>
    /** How `Spawner.run` of `command` behaves from now on. */
    readonly script: (command: string, script: RunScript) => Effect.Effect<void>
    /** Every `Spawner.run` request, in order. */
    readonly ran: Effect.Effect<ReadonlyArray<ForegroundRequest>>
    /** Put a process into the table by hand (a foreign process, a recycled pid, a duplicate instance). */
    readonly add: (
      p: Partial<ProcessInfo> & { readonly pid: number },
      behaviour?: Behaviour
    ) => Effect.Effect<ProcessInfo>
    readonly alive: Effect.Effect<ReadonlyArray<ProcessInfo>>
    readonly spawned: Effect.Effect<ReadonlyArray<SpawnRequest & { readonly pid: number; readonly at: number }>>
    readonly signals: Effect.Effect<State["signals"]>
    /** Make a process exit now (as if it crashed). */
    readonly exit: (pid: number) => Effect.Effect<void>
    /** The kernel's OOM killer: SIGKILL now, counted where OomKills reads (unlike a SIGKILL anyone sends). */
    readonly oomKill: (pid: number) => Effect.Effect<void>
    /** While set, `Prober.usage` and `snapshot` fail as a broken /proc would. */
    readonly failProbes: (failing: boolean) => Effect.Effect<void>
  }
>()("@agentctl/core/testing/FakeProcessTable") {}

const catchable = (s: SignalName) => s !== "SIGKILL"

export const layer = Layer.effectContext(
  Effect.gen(function* () {
    const state = yield* Ref.make<State>({
      failingProbes: false,
      procs: new Map(),
      nextPid: 1000,
      behaviours: new Map(),
      scripts: new Map(),
      ran: [],
      spawned: [],
      signals: [],
      oomKilled: []
    })
    const now = Clock.currentTimeMillis
    const live = (s: State, t: number) => [...s.procs.values()].filter((p) => p.exitAt === null || p.exitAt > t)
    const update = (f: (s: State, t: number) => State) => Effect.flatMap(now, (t) => Ref.update(state, (s) => f(s, t)))
    const setProc = (s: State, p: FakeProc): State => ({ ...s, procs: new Map(s.procs).set(p.info.pid, p) })

    const snapshot = Effect.gen(function* () {
      const t = yield* now
      const s = yield* Ref.get(state)
      const processes = new Map(live(s, t).map((p) => [p.info.pid, p.info]))
      return { bootId: fakeBootId, bootTimeMs: 0, ticksPerSecond: fakeTicksPerSecond, processes } satisfies Snapshot
    })

    const deliver = (target: number, group: boolean, signal: SignalName) =>
      Effect.gen(function* () {
        if (target <= 1) {
          return yield* SignalDenied.notAnAgent(group ? "process group" : "process", target, signal)
        }
        const t = yield* now
        const s = yield* Ref.get(state)
        const hit = live(s, t).filter((p) => (group ? p.info.pgid === target : p.info.pid === target))
        if (hit.length === 0) {
          return yield* ProcessGone.at(group ? "process group" : "process", target, signal)
        }
        yield* Ref.update(state, (st) => {
          let next: State = { ...st, signals: [...st.signals, { target, group, signal }] }
          for (const p of hit) {
            if (catchable(signal) ? p.behaviour.ignoresTerm === true : p.behaviour.ignoresKill === true) continue
            const exitAt = t + (catchable(signal) ? (p.behaviour.termDelayMs ?? 0) : 0)
            if (p.exitAt === null || exitAt < p.exitAt) next = setProc(next, { ...p, exitAt })
          }
          return next
        })
      })

    /** Polls the fake table on the (test) clock: completes once the process is gone. */
    const awaitExit = (pid: number) =>
      Effect.gen(function* () {
        for (;;) {
          const t = yield* now
          const p = (yield* Ref.get(state)).procs.get(pid)
          if (p === undefined || (p.exitAt !== null && p.exitAt <= t)) {
            const st = yield* Ref.get(state)
            const killed =
              st.oomKilled.includes(pid) ||
              st.signals.some(
                (s) => s.signal === "SIGKILL" && (s.target === pid || (s.group && s.target === p?.info.pgid))
              )
            return killed
              ? { code: null, signal: "SIGKILL", at: t }
              : {
                  code: p?.behaviour.exitCode ?? (p?.behaviour.crashAfterMs === undefined ? 0 : 1),
                  signal: null,
                  at: t
                }
          }
          yield* Effect.sleep(pollMs)
        }
      })

    const table = FakeProcessTable.of({
      setBehaviour: (id, behaviour) =>
        Ref.update(state, (s) => ({ ...s, behaviours: new Map(s.behaviours).set(id, behaviour) })),
      script: (command, script) =>
        Ref.update(state, (s) => ({ ...s, scripts: new Map(s.scripts).set(command, script) })),
      ran: Effect.map(Ref.get(state), (s) => s.ran),
      add: (p, behaviour = {}) =>
        Effect.gen(function* () {
          const t = yield* now
          const info: ProcessInfo = {
            ppid: 1,
            pgid: p.pid,
            sid: p.pid,
            state: "S",
            comm: "foreign",
            startTime: t,
            marker: null,
            ...p
          }
          yield* Ref.update(state, (s) => setProc(s, { info, behaviour, exitAt: null }))
          return info
        }),
      alive: Effect.map(snapshot, (s) => [...s.processes.values()]),
      spawned: Effect.map(Ref.get(state), (s) => s.spawned),
      signals: Effect.map(Ref.get(state), (s) => s.signals),
      exit: (pid) =>
        update((s, t) => {
          const p = s.procs.get(pid)
          return p === undefined ? s : setProc(s, { ...p, exitAt: t })
        }),
      oomKill: (pid) =>
        update((s, t) => {
          const p = s.procs.get(pid)
          return p === undefined ? s : { ...setProc(s, { ...p, exitAt: t }), oomKilled: [...s.oomKilled, pid] }
        }),
      failProbes: (failing) => Ref.update(state, (s) => ({ ...s, failingProbes: failing }))
    })

    const spawner = Spawner.of({
      spawn: (req) =>
        Effect.gen(function* () {
          const delay = (yield* Ref.get(state)).behaviours.get(req.id)?.spawnDelayMs
          if (delay !== undefined) yield* Effect.sleep(delay)
          const t = yield* now
          const s = yield* Ref.get(state)
          const behaviour = s.behaviours.get(req.id) ?? {}
          if (behaviour.defect !== undefined) return yield* Effect.die(new Error(behaviour.defect))
          if (behaviour.notFound === true) {
            return yield* SpawnFailed.because({
              id: req.id,
              command: req.command,
              cwd: req.cwd,
              stage: "exec",
              searchPath: req.env["PATH"] ?? null,
              code: "ENOENT"
            })
          }
          const pid = s.nextPid
          const fleet = req.env[MarkerFleetVar]
          const agent = req.env[MarkerAgentVar]
          const marker =
            fleet !== undefined && agent !== undefined && behaviour.unmarked !== true ? { fleet, agent } : null
          const exitAt = behaviour.crashAfterMs === undefined ? null : t + behaviour.crashAfterMs
          const leader: FakeProc = {
            info: {
              pid,
              ppid: 1,
              pgid: pid,
              sid: pid,
              state: "S",
              comm: req.command.slice(0, 15),
              startTime: t,
              marker
            },
            behaviour,
            exitAt
          }
          let next = setProc(
            {
              ...s,
              nextPid: pid + 1 + (behaviour.wrapper === true ? 1 : 0) + (behaviour.worker === true ? 1 : 0),
              spawned: [...s.spawned, { ...req, pid, at: t }]
            },
            leader
          )
          if (behaviour.wrapper === true) {
            next = setProc(next, {
              info: {
                pid: pid + 1,
                ppid: pid,
                pgid: pid,
                sid: pid,
                state: "S",
                comm: "real-program",
                startTime: t,
                marker: null
              },
              behaviour,
              exitAt
            })
          }
          if (behaviour.worker === true) {
            const workerPid = pid + (behaviour.wrapper === true ? 2 : 1)
            next = setProc(next, {
              info: {
                pid: workerPid,
                ppid: pid,
                pgid: workerPid,
                sid: workerPid,
                state: "S",
                comm: "worker",
                startTime: t,
                marker
              },
              behaviour: { ignoresTerm: behaviour.ignoresTerm ?? false, termDelayMs: behaviour.termDelayMs ?? 0 },
              exitAt: null
            })
          }
          yield* Ref.set(state, next)
          return { pid, exit: awaitExit(pid) }
        }),
      run: (req) =>
        Stream.unwrap(
          Effect.gen(function* () {
            const s = yield* Ref.updateAndGet(state, (st) => ({ ...st, ran: [...st.ran, req] }))
            const script = s.scripts.get(req.command) ?? {}
            if (script.notFound === true) {
              return Stream.fail(
                SpawnFailed.because({
                  id: "",
                  command: req.command,
                  cwd: req.cwd,
                  stage: "exec",
                  searchPath: req.env["PATH"] ?? null,
                  code: "ENOENT"
                })
              )
            }
            const lines = (script.output ?? []).map((o): ProcessOutput => ({ _tag: "Line", ...o }))
            const exit: ProcessOutput =
              script.signal === undefined
                ? { _tag: "Exit", code: script.exitCode ?? 0, signal: null }
                : { _tag: "Exit", code: null, signal: script.signal }
            return Stream.fromIterable([...lines, exit])
          })
        )
    })

    const broken = Effect.flatMap(Ref.get(state), (s) =>
      s.failingProbes
        ? Effect.fail(
            ProbeFailed.because({ source: "/proc", what: "the process table", code: null, detail: "fake: failing" })
          )
        : Effect.void
    )
    const prober = Prober.of({
      snapshot: Effect.andThen(broken, snapshot),
      // The table is in memory: reading a marker again costs nothing to save.
      snapshotAfter: () => Effect.andThen(broken, snapshot),
      bootId: Effect.succeed(fakeBootId),
      usage: (pid) =>
        Effect.gen(function* () {
          yield* broken
          const t = yield* now
          const p = live(yield* Ref.get(state), t).find((q) => q.info.pid === pid)
          if (p === undefined) return null
          const { rssBytes = 10 * 1024 * 1024, cpuPercent = 0 } = p.behaviour
          // fakeTicksPerSecond is 1000: a busy core adds one tick per ms.
          const cpuTicks = Math.floor(((t - p.info.startTime) * cpuPercent) / 100)
          return { pid, startTime: p.info.startTime, rssBytes, cpuTicks, sampledAt: t }
        }),
      argv: (pid) => Effect.map(snapshot, (s) => (s.processes.has(pid) ? [s.processes.get(pid)!.comm] : null))
    })

    const signals = Signals.of({
      send: (pid, signal) => deliver(pid, false, signal),
      sendGroup: (pgid, signal) => deliver(pgid, true, signal)
    })

    // One cgroup for every fake process, as agents share the launcher's.
    const oomCount = Effect.map(Ref.get(state), (s) => ({
      file: "/fake/cgroup/memory.events",
      kills: s.oomKilled.length
    }))
    const oomKills = OomKills.of({
      count: () => oomCount,
      recount: () => oomCount,
      // The fake kernel's log is readable: it names every victim.
      victims: Effect.map(Ref.get(state), (s): ReadonlySet<number> => new Set(s.oomKilled))
    })

    return Context.make(FakeProcessTable, table).pipe(
      Context.add(Spawner, spawner),
      Context.add(Prober, prober),
      Context.add(Signals, signals),
      Context.add(OomKills, oomKills)
    )
  })
)
