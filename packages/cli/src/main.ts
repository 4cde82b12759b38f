import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { CliError, CliOutput, Command } from "effect/cli"
import { api } from "./commands/api.ts"
import { build } from "./commands/build.ts"
import { cache } from "./commands/cache.ts"
import { check } from "./commands/check.ts"
import { kill, restart, start, stop } from "./commands/control.ts"
import { env } from "./commands/env.ts"
import { history } from "./commands/history.ts"
import { launcher, reload } from "./commands/launcher.ts"
import { logs } from "./commands/logs.ts"
import { memory } from "./commands/memory.ts"
import { ls } from "./commands/ls.ts"
import { stats } from "./commands/stats.ts"
import { status } from "./commands/status.ts"
import { disable, enable } from "./commands/toggle.ts"
import { validate } from "./commands/validate.ts"
import { ExitCode, exitCodeFor } from "./exitCodes.ts"
import { printError } from "./Output.ts"
import { usageLine } from "./usage.ts"
import { agentctl } from "./Root.ts"
import { version } from "./version.ts"

export const command = agentctl.pipe(
  Command.withSubcommands([
    ls,
    status,
    check,
    history,
    start,
    stop,
    restart,
    kill,
    logs,
    stats,
    enable,
    disable,
    env,
    build,
    validate,
    launcher,
    reload,
    memory,
    cache,
    api
  ])
)

const setExitCode = (code: number) => Effect.sync(() => void (process.exitCode = code))

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** A bug: one line, and the whole cause (with its stack) only when asked for. */
const reportDefect = (cause: Cause.Cause<unknown>) =>
  Effect.andThen(
    process.env["AGENTCTL_DEBUG"] === "1"
      ? Effect.sync(() => process.stderr.write(`${Cause.pretty(cause)}\n`))
      : printError(`internal error: ${messageOf(Cause.squash(cause))} (AGENTCTL_DEBUG=1 shows where)`),
    setExitCode(ExitCode.failed)
  )

/**
 * Every failure ends here: one line on stderr naming what went wrong, and the documented exit
 * code (exitCodes.ts). Parse errors reach here too, as ShowHelp with its errors: the parser
 * printed nothing for them (usagePresenter), so they get one line like any other error.
 */
const report = (cause: Cause.Cause<unknown>) => {
  if (Cause.hasInterruptsOnly(cause)) return setExitCode(ExitCode.interrupted)
  const found = Cause.findErrorOption(cause)
  if (found._tag === "None") return reportDefect(cause)
  const error = found.value
  if (CliError.isCliError(error) && error._tag === "ShowHelp") {
    if (error.errors.length === 0) return setExitCode(ExitCode.ok)
    return Effect.andThen(printError(usageLine(error.commandPath, error.errors)), setExitCode(ExitCode.usage))
  }
  if (process.env["AGENTCTL_DEBUG"] === "1") return reportDefect(cause)
  return Effect.andThen(printError(messageOf(error)), setExitCode(exitCodeFor(error)))
}

/**
 * The parser's output, but for parse errors: `--help` (and a command run without its
 * subcommand) print the rich help on stdout; an invalid invocation prints nothing here, and
 * `report` prints its one line.
 */
export const usagePresenter = CliOutput.layerPresenter({
  present: (event) => (event._tag === "InvalidInvocation" ? Effect.void : CliOutput.defaultPresenter.present(event))
})

export const run = (argv: ReadonlyArray<string>) =>
  Command.runWith(command, { version })(argv).pipe(
    Effect.catchCause(report),
    Effect.provide(usagePresenter),
    Effect.provide(NodeServices.layer),
    NodeRuntime.runMain({ disableErrorReporting: true })
  )
