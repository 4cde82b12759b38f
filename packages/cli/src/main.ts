import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { api } from "./commands/api.ts"
import { build } from "./commands/build.ts"
import { cache } from "./commands/cache.ts"
import { kill, restart, start, stop } from "./commands/control.ts"
import { env } from "./commands/env.ts"
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
import { agentctl } from "./Root.ts"
import { version } from "./version.ts"

export const command = agentctl.pipe(
  Command.withSubcommands([
    ls,
    status,
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

/**
 * Every failure ends here: one line on stderr naming what went wrong, and the documented exit
 * code. Usage errors were already printed by the parser, with the help text.
 */
const report = (cause: Cause.Cause<unknown>) => {
  if (Cause.hasInterruptsOnly(cause)) return setExitCode(ExitCode.interrupted)
  const error = Cause.findErrorOption(cause)
  if (error._tag === "Some") {
    const e = error.value as {
      readonly _tag?: string
      readonly message?: string
      readonly errors?: ReadonlyArray<unknown>
    }
    if (e._tag === "ShowHelp") return setExitCode((e.errors?.length ?? 0) > 0 ? ExitCode.usage : ExitCode.ok)
    return Effect.andThen(printError(e.message ?? String(error.value)), setExitCode(exitCodeFor(error.value)))
  }
  return Effect.andThen(printError(`internal error: ${Cause.pretty(cause)}`), setExitCode(ExitCode.failed))
}

export const run = (argv: ReadonlyArray<string>) =>
  Command.runWith(command, { version })(argv).pipe(
    Effect.catchCause(report),
    Effect.provide(NodeServices.layer),
    NodeRuntime.runMain({ disableErrorReporting: true })
  )
