import * as Effect from "effect/Effect"
import type { AgentSpec } from "./AgentConfig.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import { resolveLogSettings } from "./LogSettings.ts"
import { RunDir } from "./RunDir.ts"

/**
 * The log usage of these agents of the fleet, keyed by id; each judged against its own max_size.
 * `pids`: recorded pids, where no launcher runs to drain their output.
 */
export const fleetLogUsage = Effect.fnUntraced(function* (
  fleet: LoadedFleet,
  specs: Iterable<AgentSpec>,
  pids: ReadonlyMap<string, number> = new Map()
) {
  const runDir = yield* RunDir
  return yield* runDir.logUsage(
    Array.from(specs, (spec) => ({
      id: spec.config.agent.id,
      maxSize: resolveLogSettings(fleet.settings.logs, spec.config.run.logs).maxSize,
      pid: pids.get(spec.config.agent.id) ?? null
    }))
  )
})
