import { agentEnv } from "@agentctl/core/AgentEnv"
import { formatDotenv } from "@agentctl/core/dotenv"
import { redactEntries } from "@agentctl/core/env"
import { UsageError } from "@agentctl/core/Errors"
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
    ),
    format: Flag.Literals("format", ["text", "dotenv"]).pipe(
      Flag.withDefault("text"),
      Flag.withDescription("text: KEY=value with its source; dotenv: a .env file that reads back to the same values")
    )
  },
  Effect.fn("cli.env")(function* ({ id, showSecrets, format }) {
    const json = yield* jsonOutput
    if (json && format === "dotenv") {
      return yield* new UsageError({ message: "--json and --format dotenv: choose one output" })
    }
    const entries = yield* inFleet(
      Effect.gen(function* () {
        const fleet = yield* loadFleet()
        return redactEntries(yield* agentEnv(fleet.settings, yield* requireAgent(fleet, id)), showSecrets)
      })
    )
    if (json) return yield* printJson(entries)
    // formatDotenv ends every entry with a line break; Console.log adds one more.
    if (format === "dotenv") return yield* Console.log(formatDotenv(entries).replace(/\n$/, ""))
    yield* Console.log(entries.map((e) => `${e.key}=${e.value}  # ${e.source}`).join("\n"))
  })
).pipe(Command.withDescription("The merged environment an agent starts with (host < .env < agent .env < run.env)"))
