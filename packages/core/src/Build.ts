import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import type { AgentSpec } from "./AgentConfig.ts"
import { agentEnv, fleetEnvLayers } from "./AgentEnv.ts"
import { mergeEnv, toRecord } from "./env.ts"
import { BuildFailed } from "./Errors.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import { Fleet } from "./Fleet.ts"
import { Spawner } from "./Spawner.ts"

const runBuild = Effect.fn("Build.run")(function* (
  argv: ReadonlyArray<string>,
  cwd: string,
  env: Record<string, string>
) {
  const [command = "bash", ...args] = argv
  const code = yield* (yield* Spawner).run({ command, args, cwd, env })
  if (code !== 0) {
    return yield* new BuildFailed({
      command: argv.join(" "),
      exitCode: code,
      message: `build \`${argv.join(" ")}\` in ${cwd} ${code === null ? "was killed by a signal" : `exited with code ${code}`}`
    })
  }
})

/**
 * The fleet's build command (`build:` in agentctl.yaml, default `bash build.sh`): in the fleet root
 * with the fleet env, or — for named agents — in each agent's folder with that agent's merged env.
 * Output is streamed; the first failing exit code fails the build.
 */
export const build = Effect.fn("Build.build")(function* (fleet: LoadedFleet, agents: ReadonlyArray<AgentSpec>) {
  const { root } = yield* Fleet
  if (agents.length === 0) {
    const env = toRecord(mergeEnv(yield* fleetEnvLayers(fleet.settings)))
    return yield* runBuild(fleet.settings.build, root, env)
  }
  const path = yield* Path.Path
  for (const spec of agents) {
    const env = toRecord(yield* agentEnv(fleet.settings, spec))
    yield* runBuild(fleet.settings.build, path.resolve(spec.dir, spec.config.run.cwd), env)
  }
})
