import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { AgentId } from "./AgentId.ts"
import { configLimits } from "./configLimits.ts"
import { parseDurationMs } from "./Duration.ts"
import { AgentLogSettings } from "./LogSettings.ts"
import { withDefault } from "./withDefault.ts"

/** A duration field: `5s`, `500ms`, `2m`, or a number of seconds; decoded to milliseconds. */
export const DurationMs = Schema.Union([Schema.String, Schema.Number]).pipe(
  Schema.decodeTo(
    Schema.Number,
    SchemaTransformation.transformEffect({
      decode: (input: string | number, options) => {
        const ms = parseDurationMs(input)
        return ms === undefined
          ? Effect.fail(
              new SchemaIssue.InvalidValue(
                {
                  message: `expected a duration such as 500ms, 5s, 2m or a number of seconds, got ${JSON.stringify(input)}`
                },
                input,
                options
              )
            )
          : Effect.succeed(ms)
      },
      encode: (ms: number) => Effect.succeed(`${ms}ms`)
    })
  )
)

/**
 * A string field that also takes a YAML number or boolean (`args: [600]`, `env: { PORT: 8080 }`):
 * YAML users write these unquoted all the time, and the process sees text anyway.
 */
export const ScalarString = Schema.Union([Schema.String, Schema.Number, Schema.Boolean]).pipe(
  Schema.decodeTo(
    Schema.String,
    SchemaTransformation.transform<string, string | number | boolean>({ decode: String, encode: (s) => s })
  )
)

// The kernel ends every argument and variable at its first NUL: a config must not say more than runs.
const withoutNul = Schema.makeFilter((s: string) =>
  s.includes("\0") ? "contains a NUL byte, which no command line or environment can hold" : undefined
)

/** Text handed to the process: argv, cwd, env. */
const ProcessString = Schema.String.check(withoutNul)
const ProcessScalar = ScalarString.check(withoutNul)

const atMost = (limit: number, what: string) =>
  Schema.makeFilter((items: { readonly length: number }) =>
    items.length > limit ? `more than ${limit} ${what} (limit ${limit})` : undefined
  )
const atMostKeys = (limit: number, what: string) =>
  Schema.makeFilter((record: object) =>
    Object.keys(record).length > limit ? `more than ${limit} ${what} (limit ${limit})` : undefined
  )

export const RestartPolicy = Schema.Literals(["never", "on-failure", "always"])
export type RestartPolicy = typeof RestartPolicy.Type

/** Signals an agent may ask to be stopped with. */
export const StopSignal = Schema.Literals(["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGKILL"])
export type StopSignal = typeof StopSignal.Type

/** `agent:` — who the agent is. */
export const AgentMeta = Schema.Struct({
  id: AgentId,
  name: withDefault(Schema.String, ""),
  version: withDefault(Schema.String, ""),
  description: withDefault(Schema.String, ""),
  enabled: withDefault(Schema.Boolean, true)
})

/** `run:` — how to run it. `command` is argv[0]: never run through a shell. */
export const RunSpec = Schema.Struct({
  command: Schema.NonEmptyString.check(withoutNul),
  args: withDefault(Schema.Array(ProcessScalar).check(atMost(configLimits.args, "args")), []),
  cwd: withDefault(ProcessString, "."),
  env: withDefault(Schema.Record(ProcessString, ProcessScalar).check(atMostKeys(configLimits.runEnv, "variables")), {}),
  stop_signal: withDefault(StopSignal, "SIGTERM"),
  stop_timeout: withDefault(DurationMs, "5s"),
  restart: withDefault(RestartPolicy, "on-failure"),
  logs: withDefault(AgentLogSettings, {})
})

/** One `agents/<x>/config.yaml`, decoded. Unknown keys are ignored (agents keep their own settings there). */
export const AgentConfig = Schema.Struct({ agent: AgentMeta, run: RunSpec })
export type AgentConfig = typeof AgentConfig.Type
export type AgentConfigEncoded = typeof AgentConfig.Encoded

/** An agent config with where it came from: `dir` resolves `run.cwd` and the agent's `.env`. */
export interface AgentSpec {
  readonly file: string
  readonly dir: string
  readonly config: AgentConfig
}
