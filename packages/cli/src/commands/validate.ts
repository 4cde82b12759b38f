import { fleetWarnings } from "@agentctl/core/configWarnings"
import { loadFleet } from "@agentctl/core/FleetLoader"
import { accessSync, constants, existsSync } from "node:fs"
import { delimiter, join } from "node:path"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { ExitCode } from "../exitCodes.ts"
import { printJson } from "../Output.ts"
import { inFleet, jsonOutput } from "../Root.ts"

const exists = (file: string) => Effect.sync(() => existsSync(file))

/** As execvp looks a bare name up: the first executable file of that name in a PATH folder. */
const onPath = (name: string, path: string | undefined) =>
  Effect.sync(() =>
    (path ?? process.env.PATH ?? "").split(delimiter).some((dir) => {
      if (dir === "") return false
      try {
        accessSync(join(dir, name), constants.X_OK)
        return true
      } catch {
        // Not there, or not executable: execvp would go on to the next folder too.
        return false
      }
    })
  )

export const validate = Command.make(
  "validate",
  {},
  Effect.fn("cli.validate")(function* () {
    const { fleet, warnings } = yield* inFleet(
      Effect.gen(function* () {
        const loaded = yield* loadFleet()
        return { fleet: loaded, warnings: yield* fleetWarnings(loaded, exists, onPath) }
      })
    )
    const results = fleet.entries.map((e) =>
      e._tag === "Valid"
        ? {
            file: e.spec.file,
            id: e.spec.config.agent.id,
            ok: true,
            error: null,
            warnings: warnings.get(e.spec.config.agent.id) ?? []
          }
        : { file: e.file, id: e.id, ok: false, error: e.error, warnings: [] }
    )
    if (yield* jsonOutput) yield* printJson(results)
    else {
      yield* Console.log(
        results.length === 0
          ? `no config matches ${fleet.settings.agents} under ${fleet.root}`
          : results
              .flatMap((r) => [
                r.ok ? `ok       ${r.id}  ${r.file}` : `invalid  ${r.error}`,
                ...r.warnings.map((w) => `warning  ${r.id}: ${w}`)
              ])
              .join("\n")
      )
    }
    if (results.some((r) => !r.ok)) yield* Effect.sync(() => void (process.exitCode = ExitCode.invalidConfig))
  })
).pipe(
  Command.withDescription(
    "Check every config: ok, or file + field + message; warnings for what would not work as meant (a run.env key that shadows a .env line, a command that is not there)"
  )
)
