import { RestartPolicy } from "@agentctl/core/AgentConfig"
import { entryId } from "@agentctl/core/ConfigFile"
import { ConfigSource } from "@agentctl/core/ConfigSource"
import { Control, type ControlError } from "@agentctl/core/Control"
import { AgentIdTaken, FileExists, UsageError } from "@agentctl/core/Errors"
import { loadFleet, settingsFileName } from "@agentctl/core/FleetLoader"
import { defaultFleetSettings } from "@agentctl/core/FleetSettings"
import type { ReloadOutcome, StartOutcome } from "@agentctl/core/Outcomes"
import { quoted } from "@agentctl/core/printable"
import { readLauncherSync } from "@agentctl/shell/LauncherLock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { Argument, Command, Flag } from "effect/cli"
import * as path from "node:path"
import { ExitCode } from "../exitCodes.ts"
import { osLayer } from "../FleetLayers.ts"
import { isTaken, makeFolder } from "../folders.ts"
import { launcherPaths } from "../launcher/paths.ts"
import { envAssignmentExpected, type NewAgent, newAgentConfig, parseEnvAssignment } from "../newAgentConfig.ts"
import { printJson } from "../Output.ts"
import { fleetRoot, idArgument, inFleet, jsonOutput, nextCommand } from "../Root.ts"
import { reloadText, startText } from "./control.ts"

const envFlag = Flag.String("env").pipe(
  Flag.withMetavar("KEY=VALUE"),
  Flag.filterMap(
    (raw) => Option.fromUndefinedOr(parseEnvAssignment(raw)),
    () => envAssignmentExpected
  ),
  Flag.atLeast(0),
  Flag.withDescription("a variable in run.env (repeat for more)")
)

/** One value per key: a second `--env K=...` is more likely a mistake than an override. */
const uniqueEnv = (env: ReadonlyArray<readonly [string, string]>): Effect.Effect<typeof env, UsageError> => {
  const seen = new Set<string>()
  for (const [key] of env) {
    if (seen.has(key)) return Effect.fail(new UsageError({ message: `--env ${quoted(key)} is given twice` }))
    seen.add(key)
  }
  return Effect.succeed(env)
}

/**
 * The new config, written where the fleet's glob finds it, or a refusal that changed nothing:
 * a config that would not load as asked, a glob we cannot place a file under, a file that is
 * there already, an id another config claims.
 */
const writeConfig = Effect.fn("cli.writeConfig")(function* (root: string, agent: NewAgent) {
  const file = path.join(root, "agents", agent.id, "config.yaml")
  const dir = path.dirname(file)
  const text = newAgentConfig(file, dir, agent)
  if (Result.isFailure(text)) {
    return yield* new UsageError({ message: `not writing a config that would not load: ${text.failure}` })
  }
  const fleet = yield* loadFleet()
  if (fleet.settings.agents !== defaultFleetSettings.agents) {
    return yield* new UsageError({
      message: `agents: in ${path.join(root, settingsFileName)} is ${quoted(fleet.settings.agents)}, not ${quoted(defaultFleetSettings.agents)}: add cannot tell where a config that glob finds goes; write it by hand`
    })
  }
  if (yield* isTaken(file)) return yield* FileExists.at(file)
  const claimed = fleet.entries.find((e) => entryId(e) === agent.id)
  if (claimed !== undefined) {
    return yield* AgentIdTaken.by(agent.id, claimed._tag === "Valid" ? claimed.spec.file : claimed.file)
  }
  yield* makeFolder(dir, true)
  // Between the look above and this write, only another `add` of the same id could make the file.
  yield* (yield* ConfigSource).write(file, text.success)
  return file
})

type Started =
  | { readonly _tag: "Started"; readonly outcomes: ReadonlyArray<StartOutcome> }
  | { readonly _tag: "Reloaded"; readonly outcome: ReloadOutcome }

/**
 * `start <id>`, when agentctl acts on the OS itself. A launcher knows only the configs it has
 * read: its way to learn of a new one, and start it, is a reload (which applies every other
 * change to the fleet's files too, and says so).
 */
const startAgent = (id: string) =>
  Control.use((c): Effect.Effect<Started, ControlError> =>
    c.supervisor === "launcher"
      ? Effect.map(c.reload, (outcome) => ({ _tag: "Reloaded", outcome }))
      : Effect.map(c.start({ _tag: "Ids", ids: [id] }), (outcomes) => ({ _tag: "Started", outcomes }))
  )

const startedText = (started: Started) =>
  started._tag === "Started" ? started.outcomes.map(startText).join("\n") : reloadText(started.outcome)

const failed = (id: string, started: Started) =>
  started._tag === "Started"
    ? started.outcomes.some((o) => o.result === "failed")
    : !started.outcome.started.includes(id)

/** What starts it: `start`, or for a launcher, which has not read the new config yet, `reload`. */
const howToStart = (root: string, id: string) =>
  readLauncherSync(launcherPaths(root).runDir) === null
    ? `start it with: ${nextCommand(root, `start ${id}`)}`
    : `a launcher supervises this fleet; start it with: ${nextCommand(root, "reload")} (applies every other config change too)`

export const add = Command.make(
  "add",
  {
    id: idArgument,
    command: Argument.String("command").pipe(
      Argument.withDescription("the program (argv[0], looked up on PATH; never run through a shell)")
    ),
    args: Argument.String("args").pipe(
      Argument.variadic(),
      Argument.withDescription("its arguments, exactly as given (write `--` before the command)")
    ),
    restart: Flag.Literals("restart", RestartPolicy.literals).pipe(
      Flag.optional,
      Flag.withDescription("run.restart (default on-failure)")
    ),
    env: envFlag,
    cwd: Flag.String("cwd").pipe(
      Flag.withMetavar("DIR"),
      Flag.optional,
      Flag.withDescription("run.cwd, relative to the config's folder (default .)")
    ),
    start: Flag.Boolean("start").pipe(Flag.withDefault(false), Flag.withDescription("start it right away"))
  },
  Effect.fn("cli.add")(function* (input) {
    const root = yield* fleetRoot
    const agent: NewAgent = {
      id: input.id,
      command: input.command,
      args: input.args,
      env: yield* uniqueEnv(input.env),
      cwd: Option.getOrUndefined(input.cwd),
      restart: Option.getOrUndefined(input.restart)
    }
    const file = yield* Effect.provide(writeConfig(root, agent), osLayer(root))
    // Apart from the write: were the start sent again (to a launcher that appeared), the write must not be.
    const started = input.start ? yield* inFleet(startAgent(agent.id)) : null
    if (yield* jsonOutput) {
      yield* printJson({
        id: agent.id,
        file,
        start: started?._tag === "Started" ? started.outcomes : null,
        reload: started?._tag === "Reloaded" ? started.outcome : null
      })
    } else {
      yield* Console.log(`wrote ${file}\n${started === null ? howToStart(root, agent.id) : startedText(started)}`)
    }
    if (started !== null && failed(agent.id, started)) {
      yield* Effect.sync(() => void (process.exitCode = ExitCode.failed))
    }
  })
).pipe(
  Command.withDescription(
    "Write agents/<id>/config.yaml for a command (agentctl add <id> -- <command> [args...]); --start starts it"
  )
)
