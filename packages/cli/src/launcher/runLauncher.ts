import * as Server from "@agentctl/api/Server"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { type LoadedFleet, loadFleet } from "@agentctl/core/FleetLoader"
import { Control } from "@agentctl/core/Control"
import * as Supervisor from "@agentctl/core/Supervisor"
import * as LauncherLock from "@agentctl/shell/LauncherLock"
import * as NodeApiToken from "@agentctl/shell/NodeApiToken"
import * as SqliteAgentData from "@agentctl/shell/SqliteAgentData"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { FileError } from "@agentctl/core/Errors"
import { errorCode } from "@agentctl/shell/errno"
import { osLayer } from "../FleetLayers.ts"
import { version } from "../version.ts"
import type { FleetLogs } from "@agentctl/shell/logs/FleetLogs"
import {
  capturingSpawner,
  launcherRunDir,
  openFleetLogs,
  openReadyNotices,
  reconfigureFleetLogs
} from "./agentOutput.ts"
import * as ReadyNotices from "@agentctl/shell/ReadyNotices"
import { ownLogBound } from "@agentctl/shell/logs/ownLog"
import { formatLine, type LauncherLogEntry } from "./launcherLog.ts"
import { launcherPaths } from "./paths.ts"
import { releaseWhenQuiet } from "./releaseMemory.ts"

/** The innermost failure (a ServeError wraps the listen error that says what happened): its errno and words. */
const innermost = (cause: Cause.Cause<unknown>): { readonly code: string | null; readonly message: string } => {
  let error: unknown = Cause.squash(cause)
  while (typeof error === "object" && error !== null && "cause" in error && error.cause !== undefined)
    error = error.cause
  return { code: errorCode(error) ?? null, message: error instanceof Error ? error.message : String(error) }
}

/**
 * One JSON line per launcher event in run/launcher.log (or the journal, under systemd);
 * launcherLog.ts defines them. `bound` keeps the file within `logs.max_size` (ownLog.ts).
 */
const lineWriter = (bound: () => void) => ({
  line: (entry: LauncherLogEntry) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => Console.log(formatLine(at, entry))).pipe(
      Effect.tap(() => Effect.sync(bound))
    ),
  raw: (text: string) => Console.log(text).pipe(Effect.tap(() => Effect.sync(bound)))
})
type LineWriter = ReturnType<typeof lineWriter>

/**
 * The launcher in the foreground: take the fleet (LauncherLock: one launcher, registered, no
 * daemonless command left in flight), adopt or start every agent, serve the API on
 * run/launcher.sock (and TCP with a token), apply SIGHUP as reload. SIGTERM/SIGINT (which
 * interrupt this fiber) stop every agent concurrently before the launcher exits; SIGKILL leaves
 * them running, to be adopted by the next launcher.
 */
export const runLauncher = (root: string) =>
  Effect.gen(function* () {
    const paths = launcherPaths(root)
    yield* Effect.try({ try: () => process.chdir(root), catch: (e) => FileError.fromCause(root, "enter", e) })
    const early = lineWriter(() => {})
    const lock = yield* LauncherLock.acquire(paths.runDir, (holders) =>
      early.line({
        event: "launcher-waiting",
        holders: [...holders],
        message: `waiting for agentctl pid ${holders.join(", ")} to finish`
      })
    )
    const fleet = yield* loadFleet()
    const settings = fleet.settings
    const bound = ownLogBound(paths.log, settings.logs.max_size, settings.logs.keep)
    // A log left over the limit by an earlier launcher rotates before this one writes its first line.
    bound()
    const log = lineWriter(bound)
    // After the lock: two launchers must never read the same FIFOs.
    const agentLogs = yield* openFleetLogs(fleet, paths.runDir, (notice) => Effect.runFork(log.line(notice)))
    const notices = yield* openReadyNotices(paths.runDir)
    yield* serveFleet(root, paths, fleet, lock.pid, log, agentLogs).pipe(
      Effect.provide(
        Layer.mergeAll(capturingSpawner(agentLogs, notices), launcherRunDir(agentLogs), ReadyNotices.layer(notices))
      )
    )
  }).pipe(Effect.scoped, Effect.provide(osLayer(root)))

/** Everything after the launcher holds the fleet: supervision, the API, SIGHUP, and the stop on interrupt. */
const serveFleet = (
  root: string,
  paths: ReturnType<typeof launcherPaths>,
  fleet: LoadedFleet,
  pid: number,
  log: LineWriter,
  agentLogs: FleetLogs
) =>
  Effect.gen(function* () {
    const logLine = log.line
    const { settings } = fleet
    const supervisor = yield* Supervisor.makeWith(fleet)
    // A reload (SIGHUP, `agentctl reload`, the API) also applies the logs: settings to running
    // agents, from the fleet the reload read.
    const control = Control.of({
      ...supervisor.control,
      reload: supervisor.control.reload.pipe(
        Effect.tap(() => Effect.flatMap(supervisor.fleet, (now) => reconfigureFleetLogs(agentLogs, now)))
      )
    })
    // Subscribe before boot so the first events (adoptions, starts) are logged too.
    const events = yield* supervisor.control.events.pipe(Stream.toQueue({ capacity: "unbounded" }))
    // The queue ends (Done) only when the event stream does, at shutdown: nothing is lost by stopping then.
    yield* Effect.forkScoped(
      Effect.forever(Effect.flatMap(Queue.take(events), (e) => log.raw(JSON.stringify(e)))).pipe(Effect.ignore)
    )
    // After boot, a reload or a run of API requests, give back the garbage (releaseMemory.ts).
    yield* Effect.forkScoped(releaseWhenQuiet(supervisor.control.events))
    yield* logLine({ event: "launcher-started", pid, root, version })
    yield* supervisor.boot
    // What both listeners share (one /events buffer, one listing cache), built once.
    const shared = yield* Layer.build(
      Layer.mergeAll(Server.sharedState(version), NodeHttpServer.layerHttpServices).pipe(
        Layer.provideMerge(Layer.mergeAll(Layer.succeed(Control, control), SqliteAgentData.layer(root)))
      )
    )
    /** One listener, serving until the launcher's scope closes; its failure to start is logged. */
    const serve = (options: Omit<Server.Options, "version">, listener: "tcp" | "socket", address: string) =>
      Layer.build(Server.listeners(options).pipe(Layer.provide(Layer.succeedContext(shared)))).pipe(
        Effect.tapCause((cause) => logLine({ event: "api-failed", listener, address, ...innermost(cause) }))
      )
    // Two listeners apart: a busy TCP port must not take the control socket down with it, so its
    // failure is logged (and `launcher start` reports it). The socket comes last: when it answers,
    // the fleet is booted and the TCP outcome is in the log. Every CLI reaches the launcher
    // through it, so without it the launcher exits.
    const tcp = { host: settings.api.host, port: settings.api.port, token: NodeApiToken.make(paths.token) }
    // Ignored here because it is logged above (api-failed), and `launcher start` reports it from the log.
    yield* serve({ tcp }, "tcp", `${tcp.host}:${tcp.port}`).pipe(Effect.ignore)
    yield* serve({ socketPath: paths.socket }, "socket", paths.socket)
    yield* logLine({
      event: "launcher-ready",
      socket: paths.socket,
      api: `http://${settings.api.host}:${settings.api.port}`
    })
    // SIGHUP: re-read the configs, as `agentctl reload` does.
    const hups = yield* Queue.unbounded<void>()
    const onHup = () => Queue.offerUnsafe(hups, undefined)
    process.on("SIGHUP", onHup)
    yield* Effect.addFinalizer(() => Effect.sync(() => process.off("SIGHUP", onHup)))
    yield* Effect.forkScoped(
      Effect.forever(
        Queue.take(hups).pipe(
          Effect.andThen(control.reload),
          Effect.flatMap((outcome) => logLine({ event: "reloaded", ...outcome })),
          Effect.catch((e) => logLine({ event: "reload-failed", message: e.message }))
        )
      )
    )
    return yield* Effect.never.pipe(
      Effect.onInterrupt(() =>
        logLine({ event: "launcher-stopping" }).pipe(
          Effect.andThen(supervisor.stopAll()),
          Effect.flatMap((out) => logLine({ event: "launcher-stopped", agents: out.length })),
          Effect.catch((e) => logLine({ event: "stop-failed", message: e.message }))
        )
      )
    )
  })
