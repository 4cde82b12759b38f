import { Control } from "@agentctl/core/Control"
import { readLauncherSync } from "@agentctl/shell/launcherRecord"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { renderListing } from "../fast/renderRows.ts"
import { launcherPaths } from "../launcher/paths.ts"
import { fleetRoot, inFleet, jsonOutput } from "../Root.ts"

/** The full path of `ls`; the same listing as fast/fastLs.ts, printed by the same renderer. */
export const ls = Command.make(
  "ls",
  {},
  Effect.fn("cli.ls")(function* () {
    const json = yield* jsonOutput
    const root = yield* fleetRoot
    yield* inFleet(
      Effect.gen(function* () {
        const control = yield* Control
        const rows = yield* control.list
        const launcherPid =
          control.supervisor === "launcher" ? (readLauncherSync(launcherPaths(root).runDir)?.pid ?? null) : null
        // The listing loaded the fleet through FleetCache: after a miss, the next `ls` is fast.
        yield* Console.log(renderListing({ rows, supervisor: control.supervisor, launcherPid }, json))
      })
    )
  })
).pipe(Command.withDescription("List every agent: id, name, enabled, status, pid, instances, uptime, restarts"))
