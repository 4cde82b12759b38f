import * as Schema from "effect/Schema"
import { AgentId } from "./AgentId.ts"
import { ByteSize, isAtLeastBytes } from "./ByteSize.ts"
import { DurationMs, ProcessScalar, ProcessString, withoutNul } from "./configFields.ts"
import { configLimits } from "./configLimits.ts"
import { DependsOn } from "./DependsOn.ts"
import { HealthSpec } from "./HealthSpec.ts"
import { AgentLogSettings } from "./LogSettings.ts"
import { withDefault } from "./withDefault.ts"

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
  logs: withDefault(AgentLogSettings, {}),
  /** Restart the agent when its session's RSS stays above this for two samples in a row (reason `memory`). */
  max_memory: Schema.optional(ByteSize.check(isAtLeastBytes(1024 * 1024)))
})

/** One `agents/<x>/config.yaml`, decoded. Unknown keys are ignored (agents keep their own settings there). */
export const AgentConfig = Schema.Struct({
  agent: AgentMeta,
  run: RunSpec,
  health: withDefault(HealthSpec, {}),
  depends_on: withDefault(DependsOn, {})
})
export type AgentConfig = typeof AgentConfig.Type
export type AgentConfigEncoded = typeof AgentConfig.Encoded

/** An agent config with where it came from: `dir` resolves `run.cwd` and the agent's `.env`. */
export interface AgentSpec {
  readonly file: string
  readonly dir: string
  readonly config: AgentConfig
}
