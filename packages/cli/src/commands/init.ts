import { ConfigSource } from "@agentctl/core/ConfigSource"
import { FileExists, RootInvalid, UsageError } from "@agentctl/core/Errors"
import { settingsFileName } from "@agentctl/core/FleetLoader"
import { defaultFleetSettings } from "@agentctl/core/FleetSettings"
import * as ConfigSourceImpl from "@agentctl/shell/NodeConfigSource"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Argument, Command } from "effect/cli"
import * as path from "node:path"
import { resolveRoot } from "../FleetLayers.ts"
import { fleetEnvText, fleetSettingsText } from "../fleetTemplate.ts"
import { isTaken, makeFolder } from "../folders.ts"
import { printJson } from "../Output.ts"
import { agentctl, nextCommand } from "../Root.ts"

/** The folder itself, one level only: `init /srv/flets/x` with a typo in the middle is refused. */
const makeRoot = (root: string) =>
  makeFolder(root, false).pipe(
    Effect.catchTag("FileError", (e) =>
      Effect.fail(e.code === "EEXIST" ? RootInvalid.at(root, "ENOTDIR") : RootInvalid.cannotCreate(root, e.code))
    )
  )

/**
 * Everything is checked before anything is written, so a refusal leaves the folder as it was
 * (but for the folder itself, when it was made). Nothing that exists is replaced.
 */
const initFleet = Effect.fn("cli.initFleet")(function* (root: string) {
  const settingsFile = path.join(root, settingsFileName)
  const envFile = path.join(root, defaultFleetSettings.env_file)
  const agentsDir = path.join(root, "agents")
  const madeRoot = yield* makeRoot(root)
  for (const file of [settingsFile, envFile]) if (yield* isTaken(file)) return yield* FileExists.at(file)
  const madeAgents = yield* makeFolder(agentsDir, false)
  const source = yield* ConfigSource
  yield* source.write(envFile, fleetEnvText())
  yield* source.write(settingsFile, fleetSettingsText())
  return [...(madeRoot ? [`${root}/`] : []), settingsFile, envFile, ...(madeAgents ? [`${agentsDir}/`] : [])]
})

export const init = Command.make(
  "init",
  {
    dir: Argument.String("dir").pipe(
      Argument.optional,
      Argument.withDescription("the fleet's folder, made if missing (its parent must exist); default: --root")
    )
  },
  Effect.fn("cli.init")(function* ({ dir }) {
    const flags = yield* agentctl
    if (Option.isSome(dir) && Option.isSome(flags.root)) {
      return yield* new UsageError({ message: "give the fleet's folder as the argument or as --root, not both" })
    }
    const root = Option.isSome(dir) ? path.resolve(dir.value) : resolveRoot(Option.getOrUndefined(flags.root))
    const created = yield* Effect.provide(initFleet(root), ConfigSourceImpl.layer(root))
    const next = nextCommand(root, "add <id> -- <command> [args...]")
    if (flags.json) return yield* printJson({ root, created, next })
    yield* Console.log([...created.map((p) => `created ${p}`), `next: ${next}`].join("\n"))
  })
).pipe(
  Command.withDescription(
    "Make a fleet folder: agentctl.yaml (every setting at its default, commented out), .env and agents/"
  )
)
