import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import type { AgentSpec } from "./AgentConfig.ts"
import { readDotenv } from "./AgentEnv.ts"
import { Fleet } from "./Fleet.ts"
import type { LoadedFleet } from "./FleetLoader.ts"

/*
 * What `validate` warns of beside errors: a config that is valid but will not do what its author
 * meant, found before a start or an apply acts on it.
 */

/** Keys `run.env` sets that a `.env` also sets: `run.env` wins, so the `.env` line has no effect. */
export const shadowedKeys = (
  runEnv: Readonly<Record<string, string>>,
  dotenvs: ReadonlyArray<{ readonly file: string; readonly vars: Readonly<Record<string, string>> }>
): ReadonlyArray<string> =>
  Object.keys(runEnv)
    .toSorted()
    .flatMap((key) =>
      dotenvs
        .filter((d) => Object.hasOwn(d.vars, key))
        .map((d) => `run.env.${key} overrides ${key} from ${d.file}, so that line has no effect`)
    )

/** The command's file, when it is a path (has a slash): absolute, or against the agent's cwd. */
export const commandPath = (spec: AgentSpec, resolve: (...parts: ReadonlyArray<string>) => string): string | null => {
  const { command, cwd } = spec.config.run
  if (!command.includes("/")) return null
  return resolve(spec.dir, cwd, command)
}

/**
 * Each valid agent's warnings. `exists`: whether a file is there (the shell's); `onPath`: whether
 * a bare command name is found on a PATH (the one the agent's files set, else the host's).
 */
export const fleetWarnings = Effect.fn("configWarnings.fleetWarnings")(function* (
  fleet: LoadedFleet,
  exists: (file: string) => Effect.Effect<boolean>,
  onPath: (name: string, path: string | undefined) => Effect.Effect<boolean>
) {
  const path = yield* Path.Path
  const { root } = yield* Fleet
  const fleetFile = path.resolve(root, fleet.settings.env_file)
  // A .env that does not parse is an error `start` reports; here it only means no overlap is known.
  const fleetVars: Readonly<Record<string, string>> = yield* readDotenv(fleetFile).pipe(
    Effect.orElseSucceed(() => ({}))
  )
  const out = new Map<string, ReadonlyArray<string>>()
  for (const spec of fleet.agents.values()) {
    const agentFile = path.join(spec.dir, ".env")
    const agentVars = agentFile === fleetFile ? {} : yield* readDotenv(agentFile).pipe(Effect.orElseSucceed(() => ({})))
    const warnings = [
      ...shadowedKeys(spec.config.run.env, [
        { file: fleetFile, vars: fleetVars },
        { file: agentFile, vars: agentVars }
      ])
    ]
    const file = commandPath(spec, (...parts) => path.resolve(...parts))
    if (file !== null && !(yield* exists(file))) {
      warnings.push(`run.command ${spec.config.run.command}: ${file} does not exist, so a start would fail`)
    }
    const agentPath = spec.config.run.env.PATH ?? agentVars.PATH ?? fleetVars.PATH
    if (file === null && !(yield* onPath(spec.config.run.command, agentPath))) {
      warnings.push(`run.command ${spec.config.run.command}: not found on PATH, so a start would fail`)
    }
    if (warnings.length > 0) out.set(spec.config.agent.id, warnings)
  }
  return out
})
