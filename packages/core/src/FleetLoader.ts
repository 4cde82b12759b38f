import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Path from "effect/Path"
import * as Result from "effect/Result"
import type { AgentSpec } from "./AgentConfig.ts"
import { ConfigSource } from "./ConfigSource.ts"
import { type ConfigEntry, markDuplicates, parseAgentConfig, parseFleetSettings } from "./ConfigFile.ts"
import { markDependencyIssues } from "./dependencyIssues.ts"
import { AgentNotFound, ConfigInvalid } from "./Errors.ts"
import { Fleet } from "./Fleet.ts"
import { FleetCache } from "./FleetCache.ts"
import type { FleetSettings } from "./FleetSettings.ts"

export const settingsFileName = "agentctl.yaml"

/** The fleet as its files describe it right now. */
export interface LoadedFleet {
  readonly root: string
  readonly settings: FleetSettings
  /** Every config file, valid or not, in glob order. */
  readonly entries: ReadonlyArray<ConfigEntry>
  readonly agents: ReadonlyMap<string, AgentSpec>
}

export const loadSettings = Effect.fn("FleetLoader.loadSettings")(function* () {
  const { root } = yield* Fleet
  const path = yield* Path.Path
  const source = yield* ConfigSource
  const file = path.join(root, settingsFileName)
  const parsed = parseFleetSettings(file, yield* source.read(file))
  if (Result.isFailure(parsed)) return yield* ConfigInvalid.because(file, parsed.failure)
  return parsed.success
})

/** Every config file `glob` matches, parsed and judged together (duplicate ids, dependencies). */
const parseEntries = Effect.fnUntraced(function* (settings: FleetSettings) {
  const { root } = yield* Fleet
  const path = yield* Path.Path
  const source = yield* ConfigSource
  const files = yield* source.glob(settings.agents)
  const fleet = { root, defaults: settings.defaults }
  const texts = yield* Effect.forEach(files, (file) => Effect.map(source.read(file), (text) => [file, text] as const), {
    concurrency: 16
  })
  // After duplicates: a dependency on an id two files claim is a dependency on an invalid config.
  return markDependencyIssues(
    markDuplicates(
      texts.flatMap(([file, text]) => (text === null ? [] : [parseAgentConfig(file, path.dirname(file), text, fleet)]))
    )
  )
})

export const loadFleet = Effect.fn("FleetLoader.loadFleet")(function* () {
  const { root } = yield* Fleet
  const settings = yield* loadSettings()
  const cache = yield* Effect.serviceOption(FleetCache)
  const lookup = Option.isSome(cache) ? yield* cache.value.lookup(settings.agents) : null
  let entries: ReadonlyArray<ConfigEntry>
  if (lookup?._tag === "Hit") entries = lookup.entries
  else {
    entries = yield* parseEntries(settings)
    if (lookup !== null) yield* lookup.remember(settings, entries)
  }
  const agents = new Map<string, AgentSpec>()
  for (const e of entries) if (e._tag === "Valid") agents.set(e.spec.config.agent.id, e.spec)
  return { root, settings, entries, agents } satisfies LoadedFleet
})

/** The agent's spec, or a clear error: unknown id, or an id whose config is invalid. */
export const requireAgent = (
  fleet: LoadedFleet,
  id: string
): Effect.Effect<AgentSpec, AgentNotFound | ConfigInvalid> => {
  const spec = fleet.agents.get(id)
  if (spec !== undefined) return Effect.succeed(spec)
  const broken = fleet.entries.find((e) => e._tag === "Invalid" && e.id === id)
  if (broken !== undefined && broken._tag === "Invalid") {
    return Effect.fail(ConfigInvalid.because(broken.file, broken.error))
  }
  return Effect.fail(AgentNotFound.forId(id, [...fleet.agents.keys()]))
}
