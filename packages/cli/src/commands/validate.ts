import { loadFleet } from "@agentctl/core/FleetLoader"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { ExitCode } from "../exitCodes.ts"
import { printJson } from "../Output.ts"
import { inFleet, jsonOutput } from "../Root.ts"

export const validate = Command.make(
  "validate",
  {},
  Effect.fn("cli.validate")(function* () {
    const fleet = yield* inFleet(loadFleet())
    const results = fleet.entries.map((e) =>
      e._tag === "Valid"
        ? { file: e.spec.file, id: e.spec.config.agent.id, ok: true, error: null }
        : { file: e.file, id: e.id, ok: false, error: e.error }
    )
    if (yield* jsonOutput) yield* printJson(results)
    else {
      yield* Console.log(
        results.length === 0
          ? `no config matches ${fleet.settings.agents} under ${fleet.root}`
          : results.map((r) => (r.ok ? `ok       ${r.id}  ${r.file}` : `invalid  ${r.error}`)).join("\n")
      )
    }
    if (results.some((r) => !r.ok)) yield* Effect.sync(() => void (process.exitCode = ExitCode.invalidConfig))
  })
).pipe(Command.withDescription("Check every config: ok, or file + field + message"))
