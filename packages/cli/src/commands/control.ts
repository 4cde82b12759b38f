import { Control } from "@agentctl/core/Control"
import type { KillOutcome, ReloadOutcome, StartOutcome, StopOutcome } from "@agentctl/core/Outcomes"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Command } from "effect/cli"
import { ExitCode } from "../exitCodes.ts"
import { printJson } from "../Output.ts"
import { allFlag, idsArgument, inFleet, jsonOutput, timeoutFlag, toTargets } from "../Root.ts"

const setExit = (failed: boolean) => Effect.sync(() => void (failed && (process.exitCode = ExitCode.failed)))

export const startText = (o: StartOutcome) =>
  o.result === "started"
    ? `started ${o.id} (pid ${o.pid})`
    : o.result === "already-running"
      ? `${o.id} is already running (pid ${o.pid}); nothing changed`
      : `failed to start ${o.id}: ${o.error}`

export const stopText = (o: StopOutcome) =>
  o.result === "not-running"
    ? `${o.id} is not running; nothing changed${o.removedStaleRecord ? " (removed its stale pid record)" : ""}`
    : o.result === "restart-cancelled"
      ? `${o.id} was waiting to restart after a crash; the restart is cancelled and it stays stopped`
      : `stopped ${o.id} (pid ${o.pids.join(", ")})${o.escalated ? " with SIGKILL: it outlived its stop timeout" : ""}`

export const killText = (o: KillOutcome) =>
  o.result === "killed" ? `killed ${o.id}: pid ${o.pids.join(", ")}` : `${o.id} is not running; nothing to kill`

const idsLine = (label: string, ids: ReadonlyArray<string>) => (ids.length === 0 ? [] : [`${label}: ${ids.join(", ")}`])

export const reloadText = (o: ReloadOutcome) =>
  [
    ...idsLine("started", o.started),
    ...idsLine("stopped", o.stopped),
    ...idsLine("restarted", o.restarted),
    `unchanged: ${o.unchanged.length}`,
    ...o.invalid.map((i) => `invalid: ${i.error}`)
  ].join("\n")

export const start = Command.make(
  "start",
  { ids: idsArgument, all: allFlag },
  Effect.fn("cli.start")(function* ({ ids, all }) {
    const targets = yield* toTargets(ids, all)
    const out = yield* inFleet(Control.use((c) => c.start(targets)))
    if (yield* jsonOutput) yield* printJson(out)
    else yield* Console.log(out.length === 0 ? "no enabled agents to start" : out.map(startText).join("\n"))
    yield* setExit(out.some((o) => o.result === "failed"))
  })
).pipe(Command.withDescription("Start agents (--all: every enabled agent); a running agent is left alone"))

export const stop = Command.make(
  "stop",
  { ids: idsArgument, all: allFlag, timeout: timeoutFlag },
  Effect.fn("cli.stop")(function* ({ ids, all, timeout }) {
    const targets = yield* toTargets(ids, all)
    const timeoutMs = Option.getOrUndefined(timeout)
    const out = yield* inFleet(Control.use((c) => c.stop(targets, timeoutMs)))
    if (yield* jsonOutput) return yield* printJson(out)
    yield* Console.log(out.length === 0 ? "no agents" : out.map(stopText).join("\n"))
  })
).pipe(Command.withDescription("Stop agents: stop signal, then SIGKILL after the stop timeout; every instance"))

export const restart = Command.make(
  "restart",
  { ids: idsArgument, all: allFlag, timeout: timeoutFlag },
  Effect.fn("cli.restart")(function* ({ ids, all, timeout }) {
    const targets = yield* toTargets(ids, all)
    const timeoutMs = Option.getOrUndefined(timeout)
    const out = yield* inFleet(Control.use((c) => c.restart(targets, timeoutMs)))
    if (yield* jsonOutput) yield* printJson(out)
    else yield* Console.log(out.map((o) => `${stopText(o.stop)}\n${startText(o.start)}`).join("\n"))
    yield* setExit(out.some((o) => o.start.result === "failed"))
  })
).pipe(Command.withDescription("Stop, then start agents (picks up config and .env changes)"))

export const kill = Command.make(
  "kill",
  { ids: idsArgument, all: allFlag },
  Effect.fn("cli.kill")(function* ({ ids, all }) {
    const targets = yield* toTargets(ids, all)
    const out = yield* inFleet(Control.use((c) => c.kill(targets)))
    if (yield* jsonOutput) return yield* printJson(out)
    yield* Console.log(out.length === 0 ? "no agents" : out.map(killText).join("\n"))
  })
).pipe(Command.withDescription("SIGKILL every instance now; prints what it killed"))
