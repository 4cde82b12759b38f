import { checkAgent } from "@agentctl/core/checkAgent"
import { Control } from "@agentctl/core/Control"
import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { ExitCode } from "../exitCodes.ts"
import { printJson } from "../Output.ts"
import { idArgument, inFleet, jsonOutput } from "../Root.ts"

export const check = Command.make(
  "check",
  { id: idArgument },
  Effect.fn("cli.check")(function* ({ id }) {
    const json = yield* jsonOutput
    const result = yield* inFleet(
      Effect.gen(function* () {
        const fleet = yield* loadFleet()
        yield* requireAgent(fleet, id)
        return yield* checkAgent(fleet, yield* (yield* Control).status(id))
      })
    )
    if (json) yield* printJson(result)
    else if (result.probes.length === 0) {
      yield* Console.log(`${id}: no probes (health: in its config); it is ${result.status}`)
    } else {
      yield* Console.log(
        result.probes
          .map(({ kind, check: what, result: r }) => {
            const verdict = r.error !== null ? "error" : r.ok ? "pass" : "fail"
            return `${verdict.padEnd(5)} ${kind.padEnd(9)} ${what}: ${r.error ?? r.output} (${r.ms}ms)`
          })
          .join("\n")
      )
    }
    if (!result.ok) yield* Effect.sync(() => void (process.exitCode = ExitCode.failed))
  })
).pipe(Command.withDescription("Run an agent's probes once, now, and exit 0 if every one passes"))
