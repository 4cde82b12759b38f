import { agentEnv } from "@agentctl/core/AgentEnv"
import { redactEntries } from "@agentctl/core/env"
import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Argument, Command, Flag } from "effect/cli"
import { printJson } from "../Output.ts"
import { inFleet, jsonOutput } from "../Root.ts"

export const env = Command.make(
  "env",
  {
    id: Argument.String("id").pipe(Argument.withDescription("agent id")),
    showSecrets: Flag.Boolean("show-secrets").pipe(
      Flag.withDefault(false),
      Flag.withDescription("print values of *KEY*/*TOKEN*/*SECRET*/*PASSWORD* variables")
    )
  },
  Effect.fn("cli.env")(function* ({ id, showSecrets }) {
    const json = yield* jsonOutput
    const entries = yield* inFleet(
      Effect.gen(function* () {
        const fleet = yield* loadFleet()
        return redactEntries(yield* agentEnv(fleet.settings, yield* requireAgent(fleet, id)), showSecrets)
      })
    )
    if (json) return yield* printJson(entries)
    yield* Console.log(entries.map((e) => `${e.key}=${e.value}  # ${e.source}`).join("\n"))
  })
).pipe(Command.withDescription("The merged environment an agent starts with (host < .env < agent .env < run.env)"))
