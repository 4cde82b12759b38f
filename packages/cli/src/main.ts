import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { CliError, CliOutput, Command } from "effect/cli"
import * as CliPlatform from "./CliPlatform.ts"
import { ExitCode, exitCodeFor } from "./exitCodes.ts"
import { printError } from "./Output.ts"
import { usageLine } from "./usage.ts"
import { agentctl } from "./Root.ts"
import { version } from "./version.ts"

/**
 * Every subcommand, in the order help lists them, each loaded from its own module (build.mjs
 * splits the bundle at these imports): a command loads its own code and what it shares with
 * the others, not that of the other nineteen (`launcher start`'s HTTP client, `build`, ...).
 */
export const subcommands = {
  init: () => import("./commands/init.ts").then((m) => m.init),
  add: () => import("./commands/add.ts").then((m) => m.add),
  ls: () => import("./commands/ls.ts").then((m) => m.ls),
  status: () => import("./commands/status.ts").then((m) => m.status),
  check: () => import("./commands/check.ts").then((m) => m.check),
  history: () => import("./commands/history.ts").then((m) => m.history),
  start: () => import("./commands/control.ts").then((m) => m.start),
  stop: () => import("./commands/control.ts").then((m) => m.stop),
  restart: () => import("./commands/control.ts").then((m) => m.restart),
  kill: () => import("./commands/control.ts").then((m) => m.kill),
  logs: () => import("./commands/logs.ts").then((m) => m.logs),
  stats: () => import("./commands/stats.ts").then((m) => m.stats),
  enable: () => import("./commands/toggle.ts").then((m) => m.enable),
  disable: () => import("./commands/toggle.ts").then((m) => m.disable),
  env: () => import("./commands/env.ts").then((m) => m.env),
  build: () => import("./commands/build.ts").then((m) => m.build),
  validate: () => import("./commands/validate.ts").then((m) => m.validate),
  launcher: () => import("./commands/launcher.ts").then((m) => m.launcher),
  diff: () => import("./commands/apply.ts").then((m) => m.diff),
  apply: () => import("./commands/apply.ts").then((m) => m.apply),
  reload: () => import("./commands/launcher.ts").then((m) => m.reload),
  memory: () => import("./commands/memory.ts").then((m) => m.memory),
  cache: () => import("./commands/cache.ts").then((m) => m.cache),
  api: () => import("./commands/api.ts").then((m) => m.api)
}
type SubcommandName = keyof typeof subcommands
type Subcommand = Awaited<ReturnType<(typeof subcommands)[SubcommandName]>>

/** Flags before the subcommand that take a value (the root's shared flag and effect/cli's own). */
const valuedFlags = new Set(["--root", "--log-level"])

/**
 * The subcommand `argv` names, when the parser needs no other: the first word that is not a
 * flag or a flag's value. None for the root's help, shell completions (which list every
 * command) or a word that is no command (whose "did you mean" needs them all).
 */
export const subcommandOf = (argv: ReadonlyArray<string>): SubcommandName | undefined => {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === "--completions" || word.startsWith("--completions=")) return undefined
    if (valuedFlags.has(word)) i++
    else if (!word.startsWith("-")) return Object.hasOwn(subcommands, word) ? (word as SubcommandName) : undefined
  }
  return undefined
}

/** The command tree with every subcommand. */
export const fullCommand = async () =>
  agentctl.pipe(
    Command.withSubcommands(await Promise.all(Object.values(subcommands).map((load): Promise<Subcommand> => load())))
  )

/**
 * The command tree `argv` needs: the root with the one subcommand it names, else with all of
 * them. Both parse that subcommand's words alike, being the same command.
 */
export const commandFor = async (argv: ReadonlyArray<string>) => {
  const name = subcommandOf(argv)
  if (name === undefined) return fullCommand()
  const only: Subcommand = await subcommands[name]()
  return agentctl.pipe(Command.withSubcommands([only]))
}

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
  Effect.promise(() => commandFor(argv)).pipe(
    Effect.flatMap((command) => Command.runWith(command, { version })(argv)),
    Effect.catchCause(report),
    Effect.provide(usagePresenter),
    Effect.provide(CliPlatform.layer),
    NodeRuntime.runMain({ disableErrorReporting: true })
  )
