import { build as runBuild } from "@agentctl/core/Build"
import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { idsArgument, inFleet } from "../Root.ts"

export const build = Command.make(
  "build",
  { ids: idsArgument },
  Effect.fn("cli.build")(function* ({ ids }) {
    yield* inFleet(
      Effect.gen(function* () {
        const fleet = yield* loadFleet()
        const agents = yield* Effect.forEach(ids, (id) => requireAgent(fleet, id))
        yield* runBuild(fleet, agents)
      })
    )
  })
).pipe(
  Command.withDescription(
    "Run the build command (agentctl.yaml `build`, default `bash build.sh`) with the merged env; its exit code is ours"
  )
)
