import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import * as ChildProcess from "effect/process/ChildProcess"
import type { ChildProcessSpawner } from "effect/process/ChildProcessSpawner"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { AgentSpec } from "./AgentConfig.ts"
import { agentEnv, fleetEnvLayers } from "./AgentEnv.ts"
import { mergeEnv, toRecord } from "./env.ts"
import { Fleet } from "./Fleet.ts"
import type { LoadedFleet } from "./FleetLoader.ts"

/**
 * The build (`build:` in agentctl.yaml) with its output captured rather than inherited: what
 * `POST /build` streams. `planBuild` is shared with `Build.build`; the process is argv (never a
 * shell), run with exactly the merged env, and killed if the stream is dropped (a client
 * hanging up interrupts it, as Ctrl-C does for `agentctl build`).
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
  /** The step's exit code (null: killed by a signal). */
  StepExit: { exitCode: Schema.NullOr(Schema.Int) },
  /** Always last: whether every step succeeded, as a sentence. */
  Done: { ok: Schema.Boolean, message: Schema.String }
}).annotate({ identifier: "BuildEvent" })
export type BuildEvent = typeof BuildEvent.Type

/** The steps `Build.build` would run, env included; config errors surface here, before anything runs. */
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

const describe = (step: BuildStep) => `build \`${step.argv.join(" ")}\` in ${step.cwd}`

const lines = (source: Stream.Stream<Uint8Array, unknown>, stream: "stdout" | "stderr") =>
  source.pipe(
    Stream.decodeText,
    Stream.splitLines,
    Stream.map((line): BuildEvent => ({ _tag: "Output", stream, line }))
  )

/** One step's output, then its exit; a process that cannot start (or be read) reports why instead. */
const runStep = (
  step: BuildStep,
  report: (exitCode: number | null | string) => void
): Stream.Stream<BuildEvent, never, ChildProcessSpawner> => {
  const [command = "bash", ...args] = step.argv
  return Stream.unwrap(
    Effect.gen(function* () {
      const handle = yield* ChildProcess.make(command, args, {
        cwd: step.cwd,
        env: step.env,
        extendEnv: false,
        stdin: "ignore"
      })
      const exit = Effect.map(handle.exitCode, (code): BuildEvent => {
        report(Number(code))
        return { _tag: "StepExit", exitCode: Number(code) }
      })
      return Stream.merge(lines(handle.stdout, "stdout"), lines(handle.stderr, "stderr")).pipe(
        Stream.concat(Stream.fromEffect(exit))
      )
    })
  ).pipe(
    Stream.catchCause((cause) =>
      Stream.drain(Stream.sync(() => report(`cannot run ${describe(step)}: ${Cause.pretty(cause).split("\n")[0]}`)))
    )
  )
}

/** Run the steps in order, stopping at the first failure; ends with exactly one Done. */
export const runBuildSteps = (
  steps: ReadonlyArray<BuildStep>
): Stream.Stream<BuildEvent, never, ChildProcessSpawner> => {
  const from = (i: number): Stream.Stream<BuildEvent, never, ChildProcessSpawner> => {
    const step = steps[i]
    if (step === undefined) {
      const message =
        steps.length === 1 ? `${describe(steps[0]!)} succeeded` : `all ${steps.length} build steps succeeded`
      return Stream.succeed<BuildEvent>({ _tag: "Done", ok: true, message })
    }
    let result: number | null | string = null
    const report = (r: number | null | string) => void (result = r)
    const started: BuildEvent = { _tag: "Step", argv: step.argv, cwd: step.cwd, agent: step.agent }
    const next = Stream.suspend((): Stream.Stream<BuildEvent, never, ChildProcessSpawner> => {
      if (result === 0) return from(i + 1)
      const message =
        typeof result === "string"
          ? result
          : `${describe(step)} ${result === null ? "was killed by a signal" : `exited with code ${result}`}`
      return Stream.succeed<BuildEvent>({ _tag: "Done", ok: false, message })
    })
    return Stream.succeed(started).pipe(Stream.concat(runStep(step, report)), Stream.concat(next))
  }
  return Stream.suspend(() => from(0))
}
