import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import { agentEnv, fleetEnvLayers } from "./AgentEnv.ts"
import type { ConfigInvalid, FileError } from "./Errors.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import { type EnvOutcome, startsFrom, type StartNow } from "./spawnDrift.ts"

/**
 * What a start of each of `ids` would run now, from the files as they are: the resolution
 * `spawnAgent` does, without the spawn. The fleet `.env` is read once for all of them; a `.env`
 * that does not parse makes that agent's answer `Invalid` (naming the file and line), not the call fail.
 */
/** A file that stops a start (a config or `.env` that does not parse, or cannot be read), as drift tells it. */
export const startProblem = (e: ConfigInvalid | FileError): Extract<StartNow, { _tag: "Invalid" }> => ({
  _tag: "Invalid",
  file: e._tag === "ConfigInvalid" ? e.file : e.path,
  error: e.message
})

export const startsNow = Effect.fn("FleetDrift.startsNow")(function* (fleet: LoadedFleet, ids: Iterable<string>) {
  const path = yield* Path.Path
  const wanted = [...ids]
  const envs = new Map<string, EnvOutcome>()
  if (wanted.length === 0) return new Map<string, StartNow>()
  const layers = yield* Effect.result(fleetEnvLayers(fleet.settings))
  for (const id of wanted) {
    const spec = fleet.agents.get(id)
    if (spec === undefined) continue
    if (layers._tag === "Failure") {
      envs.set(id, startProblem(layers.failure))
      continue
    }
    const env = yield* Effect.result(agentEnv(fleet.settings, spec, layers.success))
    envs.set(id, env._tag === "Failure" ? startProblem(env.failure) : { _tag: "Env", env: env.success })
  }
  return startsFrom(
    fleet.entries,
    wanted,
    (spec) => envs.get(spec.config.agent.id)!,
    (spec) => path.resolve(spec.dir, spec.config.run.cwd)
  )
})
