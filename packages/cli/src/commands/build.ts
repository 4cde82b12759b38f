import { build as runBuild, type StepEvent } from "@agentctl/core/BuildOutput"
import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { idsArgument, inFleet } from "../Root.ts"

/** The build's own lines, to our stdout and stderr as it wrote them; how it ended is the command's outcome. */
const print = (event: StepEvent) =>
  Effect.sync(() => {
    if (event._tag === "Output") (event.stream === "stdout" ? process.stdout : process.stderr).write(`${event.line}\n`)
  })

export const build = Command.make(
  "build",
  { ids: idsArgument },
  Effect.fn("cli.build")(function* ({ ids }) {
    yield* inFleet(
      Effect.gen(function* () {
        const fleet = yield* loadFleet()
        const agents = yield* Effect.forEach(ids, (id) => requireAgent(fleet, id))
        yield* runBuild(fleet, agents, print)
      })
    )
  })
).pipe(
  Command.withDescription(
    "Run the build command (agentctl.yaml `build`, default `bash build.sh`) with the merged env; its output streamed, its failure ours"
  )
)
