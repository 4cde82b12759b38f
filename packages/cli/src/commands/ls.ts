import { Control } from "@agentctl/core/Control"
import { loadFleet, loadSettings } from "@agentctl/core/FleetLoader"
import { resolveLogSettings } from "@agentctl/core/LogSettings"
import { readLauncherSync } from "@agentctl/shell/launcherRecord"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { readConfigCache, stampFiles, writeConfigCache } from "../fast/configCache.ts"
import { renderListing } from "../fast/renderRows.ts"
import { launcherPaths } from "../launcher/paths.ts"
import { fleetRoot, inFleet, jsonOutput } from "../Root.ts"

/** After a miss, parse once more with stamps taken first, so the next `ls` can take the fast path. */
export const refreshCache = (root: string) =>
  Effect.gen(function* () {
    if (readConfigCache(root) !== null) return
    const settings = yield* loadSettings()
    const { stamps, settingsStamp } = stampFiles(root, settings.agents)
    const fleet = yield* loadFleet()
    const logMaxSize = Object.fromEntries(
      Array.from(fleet.agents, ([id, spec]) => [
        id,
        resolveLogSettings(fleet.settings.logs, spec.config.run.logs).maxSize
      ])
    )
    writeConfigCache(root, settings.agents, stamps, settingsStamp, { entries: fleet.entries, logMaxSize })
  })

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
        yield* Console.log(renderListing({ rows, supervisor: control.supervisor, launcherPid }, json))
        if (control.supervisor === "daemonless") yield* refreshCache(root)
      })
    )
  })
).pipe(Command.withDescription("List every agent: id, name, enabled, status, pid, instances, uptime, restarts"))
