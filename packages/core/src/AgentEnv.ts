import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import type { AgentSpec } from "./AgentConfig.ts"
import { ConfigSource } from "./ConfigSource.ts"
import { parseDotenv } from "./dotenv.ts"
import { mergeAgentEnv } from "./mergeAgentEnv.ts"
import type { EnvLayer } from "./env.ts"
import { ConfigInvalid } from "./Errors.ts"
import { Fleet } from "./Fleet.ts"
import type { FleetSettings } from "./FleetSettings.ts"

/** A `.env` file as variables; a malformed line is an error naming the file and line (never skipped silently). */
export const readDotenv = Effect.fn("AgentEnv.readDotenv")(function* (file: string) {
  const text = yield* (yield* ConfigSource).read(file)
  if (text === null) return {}
  const parsed = parseDotenv(text)
  const first = parsed.errors[0]
  if (first !== undefined) return yield* ConfigInvalid.atLine(file, first.line, first.message)
  return Object.fromEntries(parsed.entries.map((e) => [e.key, e.value]))
})

/** host env < fleet `.env` (settings.env_file) — what builds run with. */
export const fleetEnvLayers = Effect.fn("AgentEnv.fleetEnvLayers")(function* (settings: FleetSettings) {
  const { root, hostEnv } = yield* Fleet
  const path = yield* Path.Path
  const fleetDotenv = yield* readDotenv(path.resolve(root, settings.env_file))
  return [
    { source: "host", vars: hostEnv },
    { source: "fleet .env", vars: fleetDotenv }
  ] satisfies ReadonlyArray<EnvLayer>
})

/** `layers`: the fleet's (fleetEnvLayers), when the caller resolves many agents against one read of them. */
export const agentEnv = Effect.fn("AgentEnv.agentEnv")(function* (
  settings: FleetSettings,
  spec: AgentSpec,
  layers?: ReadonlyArray<EnvLayer>
) {
  const { root } = yield* Fleet
  const path = yield* Path.Path
  const fleetLayers = layers ?? (yield* fleetEnvLayers(settings))
  const agentFile = path.join(spec.dir, ".env")
  const fleetFile = path.resolve(root, settings.env_file)
  const agentDotenv = agentFile === fleetFile ? {} : yield* readDotenv(agentFile)
  return mergeAgentEnv(root, spec, fleetLayers, agentDotenv)
})
