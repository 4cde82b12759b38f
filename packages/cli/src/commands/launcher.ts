import { Control } from "@agentctl/core/Control"
import { formatUptime } from "@agentctl/core/Duration"
import { errnoText } from "@agentctl/core/errno"
import { LauncherNotRunning } from "@agentctl/core/Errors"
import type { PidRecord } from "@agentctl/core/PidRecord"
import { RunDir } from "@agentctl/core/RunDir"
import type { SignalName } from "@agentctl/core/Signals"
import { isLive, readLauncherSync } from "@agentctl/shell/LauncherLock"
import * as SignalsImpl from "@agentctl/shell/NodeSignals"
import { readUsageSync } from "@agentctl/shell/procfsSync"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Command } from "effect/cli"
import { launcherPaths } from "../launcher/paths.ts"
import { signalLauncher } from "../launcher/signalLauncher.ts"
import { startLauncher } from "../launcher/startLauncher.ts"
import { printJson, printWarning } from "../Output.ts"
import { fleetRoot, followFlag, inFleet, jsonOutput, linesFlag, timeoutFlag } from "../Root.ts"
import { reloadText } from "./control.ts"

const requireLauncher = (root: string) => {
  const record = readLauncherSync(launcherPaths(root).runDir)
  return record === null ? Effect.fail(LauncherNotRunning.forRoot(root)) : Effect.succeed(record)
}

const run = Command.make(
  "run",
  {},
  Effect.fn("cli.launcher.run")(function* () {
    const root = yield* fleetRoot
    // The supervisor and API server: a chunk of their own, loaded by this command only.
    const { runLauncher } = yield* Effect.promise(() => import("../launcher/runLauncher.ts"))
    yield* runLauncher(root)
  })
).pipe(Command.withDescription("Run the launcher in the foreground (for systemd units and containers)"))

const start = Command.make(
  "start",
  {},
  Effect.fn("cli.launcher.start")(function* () {
    const started = yield* startLauncher(yield* fleetRoot)
    // A busy port does not stop the launcher (the control socket works), so it is a warning, not a failure.
    const tcp = started.tcpFailure
    if (tcp !== null) {
      yield* printWarning(
        `the HTTP API is not listening on ${tcp.address}: ${errnoText(tcp.code) ?? tcp.message} (the control socket works)`
      )
    }
    const { pid, log, socket } = started
    if (yield* jsonOutput) return yield* printJson({ pid, log, socket, tcp_error: tcp?.message ?? null })
    yield* Console.log(`launcher started (pid ${pid}); log: ${log}; control socket: ${socket}`)
  })
).pipe(Command.withDescription("Start the launcher in the background; it adopts running agents and starts the rest"))

/** How long `launcher stop` waits for the launcher to stop every agent and exit. */
const stopWaitMs = 5 * 60_000
/** How long `launcher kill` waits for the kernel to end it. */
const killWaitMs = 10_000

const signalled = (record: PidRecord, signal: SignalName, waitMs: number) =>
  signalLauncher(record, signal, waitMs, (r) => Effect.sync(() => isLive(r))).pipe(Effect.provide(SignalsImpl.layer))

const stop = Command.make(
  "stop",
  { timeout: timeoutFlag },
  Effect.fn("cli.launcher.stop")(function* ({ timeout }) {
    const root = yield* fleetRoot
    const record = readLauncherSync(launcherPaths(root).runDir)
    if (record === null) return yield* Console.log("no launcher is running; nothing changed")
    // With --timeout the agents are stopped through the API first (that is where the timeout goes);
    // either way SIGTERM makes the launcher stop every agent concurrently, then exit.
    const stopped = Option.isSome(timeout)
      ? yield* inFleet(Control.use((c) => c.stop({ _tag: "All" }, timeout.value)))
      : []
    const outcome = yield* signalled(record, "SIGTERM", stopWaitMs)
    if (outcome === "already-gone") {
      return yield* Console.log(`the launcher (pid ${record.pid}) had already exited; nothing changed`)
    }
    const count = stopped.filter((s) => s.result === "stopped").length
    yield* Console.log(`launcher stopped (pid ${record.pid})${stopped.length > 0 ? `; stopped ${count} agents` : ""}`)
  })
).pipe(
  Command.withDescription("Stop every agent concurrently (each with its stop signal and timeout), then the launcher")
)

const kill = Command.make(
  "kill",
  {},
  Effect.fn("cli.launcher.kill")(function* () {
    const root = yield* fleetRoot
    const record = yield* requireLauncher(root)
    const outcome = yield* signalled(record, "SIGKILL", killWaitMs)
    yield* Console.log(
      outcome === "already-gone"
        ? `the launcher (pid ${record.pid}) had already exited; nothing to kill`
        : `killed the launcher (pid ${record.pid}); its agents keep running and the next launcher adopts them`
    )
  })
).pipe(Command.withDescription("SIGKILL the launcher only; agents survive and are adopted by the next launcher"))

const status = Command.make(
  "status",
  {},
  Effect.fn("cli.launcher.status")(function* () {
    const root = yield* fleetRoot
    const paths = launcherPaths(root)
    const record = readLauncherSync(paths.runDir)
    const json = yield* jsonOutput
    if (record === null) {
      if (json) return yield* printJson({ running: false, pid: null })
      return yield* Console.log("no launcher is running (agentctl launcher start)")
    }
    const usage = readUsageSync(record.pid, Date.now())
    const rows = yield* inFleet(Control.use((c) => c.list))
    const supervised = rows.filter((r) => r.status !== "invalid" && r.status !== "stopped" && r.status !== "disabled")
    const info = {
      running: true,
      pid: record.pid,
      uptime: Math.max(0, Math.floor((Date.now() - record.startedAt) / 1000)),
      rssBytes: usage?.rssBytes ?? null,
      agents: {
        total: rows.length,
        supervised: supervised.length,
        running: rows.filter((r) => r.status === "running").length
      },
      socket: paths.socket,
      log: paths.log
    }
    if (json) return yield* printJson(info)
    yield* Console.log(
      [
        `launcher pid ${info.pid}, up ${formatUptime(info.uptime)}, RSS ${info.rssBytes === null ? "-" : `${(info.rssBytes / 1048576).toFixed(1)} MiB`}`,
        `agents: ${info.agents.running} running, ${info.agents.supervised} supervised, ${info.agents.total} configured`,
        `socket: ${info.socket}`,
        `log:    ${info.log}`
      ].join("\n")
    )
  })
).pipe(Command.withDescription("Launcher pid, uptime, RSS and the agents it supervises"))

const logs = Command.make(
  "logs",
  {
    lines: linesFlag,
    follow: followFlag
  },
  Effect.fn("cli.launcher.logs")(function* ({ lines, follow }) {
    const root = yield* fleetRoot
    const file = launcherPaths(root).log
    yield* inFleet(
      Effect.gen(function* () {
        const runDir = yield* RunDir
        const tail = yield* runDir.tail(file, lines)
        if (tail.length > 0) yield* Console.log(tail.join("\n"))
        if (follow) yield* Stream.runForEach(runDir.follow(file), (line) => Console.log(line))
      })
    )
  })
).pipe(Command.withDescription("The launcher's log: one JSON line per agent state change"))

export const launcher = Command.make("launcher").pipe(
  Command.withDescription("One supervising process for the whole fleet: restart policies, adoption, the API"),
  Command.withSubcommands([start, run, stop, kill, status, logs])
)

export const reload = Command.make(
  "reload",
  {},
  Effect.fn("cli.reload")(function* () {
    const out = yield* inFleet(Control.use((c) => c.reload))
    if (yield* jsonOutput) return yield* printJson(out)
    yield* Console.log(reloadText(out))
  })
).pipe(
  Command.withDescription(
    "apply, through the running launcher, told in the older shape (started/stopped/restarted/unchanged)"
  )
)
