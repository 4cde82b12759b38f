import * as Effect from "effect/Effect"
import type { AgentSpec } from "./AgentConfig.ts"
import { type BuildStep, planBuild } from "./BuildOutput.ts"
import { BuildFailed } from "./Errors.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import { Spawner } from "./Spawner.ts"

const runStep = Effect.fn("Build.runStep")(function* (step: BuildStep) {
  const [command = "bash", ...args] = step.argv
  const code = yield* (yield* Spawner).run({ command, args, cwd: step.cwd, env: step.env })
  if (code !== 0) return yield* BuildFailed.forStep(step, { exitCode: code, signal: null })
})

/**
 * The fleet's build command (`build:` in agentctl.yaml, default `bash build.sh`): in the fleet root
 * with the fleet env, or — for named agents — in each agent's folder with that agent's merged env.
 * The steps are `planBuild`'s, as `POST /build` runs them; here output is inherited (streamed to
 * the terminal) and the first failing exit code fails the build.
 */
export const build = Effect.fn("Build.build")(function* (fleet: LoadedFleet, agents: ReadonlyArray<AgentSpec>) {
  for (const step of yield* planBuild(fleet, agents)) yield* runStep(step)
})
