import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { AgentSpec } from "./AgentConfig.ts"
import { agentEnv, fleetEnvLayers } from "./AgentEnv.ts"
import { mergeEnv, toRecord } from "./env.ts"
import { BuildFailed, type SpawnFailed } from "./Errors.ts"
import { Fleet } from "./Fleet.ts"
import type { LoadedFleet } from "./FleetLoader.ts"
import { Spawner } from "./Spawner.ts"

/**
 * The build (`build:` in agentctl.yaml, default `bash build.sh`), run once for both of its
 * users: `agentctl build` prints the events' lines and fails with the failing step's error;
 * `POST /build` streams the events as they are, ending with `Done`. Each step is argv (never a
 * shell), run through the Spawner with exactly the merged env, stdin closed, and SIGTERMed if
 * the stream is dropped (Ctrl-C, a client hanging up).
 */

export interface BuildStep {
  readonly argv: ReadonlyArray<string>
  readonly cwd: string
  /** null for the fleet-wide build */
  readonly agent: string | null
  readonly env: Readonly<Record<string, string>>
}

export const BuildEvent = Schema.TaggedUnion({
  /** A step begins (one for the fleet, or one per named agent). */
  Step: { argv: Schema.Array(Schema.String), cwd: Schema.String, agent: Schema.NullOr(Schema.String) },
  /** One line of the step's stdout or stderr, in the order each stream produced them. */
  Output: { stream: Schema.Literals(["stdout", "stderr"]), line: Schema.String },
  /** How the step ended: its exit code, or (exitCode null) the signal that killed it. */
  StepExit: { exitCode: Schema.NullOr(Schema.Int), signal: Schema.NullOr(Schema.String) },
  /** Always last: whether every step succeeded, as a sentence. */
  Done: { ok: Schema.Boolean, message: Schema.String }
}).annotate({ identifier: "BuildEvent" })
export type BuildEvent = typeof BuildEvent.Type

/** Every event but `Done`: how the build ended is the stream's end (or its failure). */
export type StepEvent = Exclude<BuildEvent, { readonly _tag: "Done" }>

/** The steps the build runs, env included; config errors surface here, before anything runs. */
export const planBuild = Effect.fn("BuildOutput.planBuild")(function* (
  fleet: LoadedFleet,
  agents: ReadonlyArray<AgentSpec>
) {
  const { root } = yield* Fleet
  const argv = fleet.settings.build
  if (agents.length === 0) {
    const env = toRecord(mergeEnv(yield* fleetEnvLayers(fleet.settings)))
    return [{ argv, cwd: root, agent: null, env }] satisfies ReadonlyArray<BuildStep>
  }
  const path = yield* Path.Path
  return yield* Effect.forEach(
    agents,
    Effect.fnUntraced(function* (spec) {
      const env = toRecord(yield* agentEnv(fleet.settings, spec))
      const cwd = path.resolve(spec.dir, spec.config.run.cwd)
      return { argv, cwd, agent: spec.config.agent.id, env } satisfies BuildStep
    })
  )
})

/** One step: `Step`, its lines, `StepExit`; a step that does not exit 0 then fails the stream. */
const runStep = (step: BuildStep): Stream.Stream<StepEvent, BuildFailed | SpawnFailed, Spawner> => {
  const [command = "bash", ...args] = step.argv
  const started: StepEvent = { _tag: "Step", argv: step.argv, cwd: step.cwd, agent: step.agent }
  const output = Stream.unwrap(
    Effect.gen(function* () {
      const spawner = yield* Spawner
      return spawner.run({ command, args, cwd: step.cwd, env: step.env })
    })
  ).pipe(
    Stream.flatMap((o): Stream.Stream<StepEvent, BuildFailed> => {
      if (o._tag === "Line") return Stream.succeed({ _tag: "Output", stream: o.stream, line: o.line })
      const exit: StepEvent = { _tag: "StepExit", exitCode: o.code, signal: o.signal }
      if (o.code === 0) return Stream.succeed(exit)
      return Stream.concat(
        Stream.succeed(exit),
        Stream.fail(BuildFailed.forStep(step, { exitCode: o.code, signal: o.signal }))
      )
    })
  )
  return Stream.concat(Stream.succeed(started), output)
}

/** The steps in order, stopping at the first that fails: with its BuildFailed, or SpawnFailed when it could not start. */
export const buildEvents = (
  steps: ReadonlyArray<BuildStep>
): Stream.Stream<StepEvent, BuildFailed | SpawnFailed, Spawner> =>
  Stream.fromIterable(steps).pipe(Stream.flatMap(runStep))

const succeeded = (steps: ReadonlyArray<BuildStep>) =>
  steps.length === 1
    ? `build \`${steps[0]!.argv.join(" ")}\` in ${steps[0]!.cwd} succeeded`
    : `all ${steps.length} build steps succeeded`

/** `buildEvents` ending with exactly one `Done`, its message the failure's own: what `POST /build` streams. */
export const runBuildSteps = (steps: ReadonlyArray<BuildStep>): Stream.Stream<BuildEvent, never, Spawner> =>
  buildEvents(steps).pipe(
    Stream.concat(Stream.sync((): BuildEvent => ({ _tag: "Done", ok: true, message: succeeded(steps) }))),
    Stream.catch((error) => Stream.succeed<BuildEvent>({ _tag: "Done", ok: false, message: error.message }))
  )

/**
 * `agentctl build`: plan, then run the same events, each handed to `onEvent` (the CLI prints
 * the Output lines to its own stdout and stderr); fails with the failing step's error.
 */
export const build = Effect.fn("BuildOutput.build")(function* <R>(
  fleet: LoadedFleet,
  agents: ReadonlyArray<AgentSpec>,
  onEvent: (event: StepEvent) => Effect.Effect<void, never, R>
) {
  const steps = yield* planBuild(fleet, agents)
  yield* Stream.runForEach(buildEvents(steps), onEvent)
})
