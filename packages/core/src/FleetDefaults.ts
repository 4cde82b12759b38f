import * as Schema from "effect/Schema"
import { RunSpec } from "./AgentConfig.ts"

/*
 * `defaults:` in agentctl.yaml: config merged under every agent's own, so a fleet laid out like
 * the Go original (each config an `agent:` block and the agent's own settings, no `run:`) runs
 * unchanged with one `defaults.run` saying how every agent starts. Kept as written (YAML values,
 * not decoded): the merge happens before an agent's config is decoded, so every value, the
 * defaulted ones included, is checked by the one AgentConfig schema.
 */

const RawObject = Schema.Record(Schema.String, Schema.Unknown)

export const FleetDefaults = Schema.Struct({
  run: Schema.optionalKey(RawObject),
  health: Schema.optionalKey(RawObject),
  notify: Schema.optionalKey(Schema.Boolean)
})
export type FleetDefaults = typeof FleetDefaults.Type

/** What placeholders in `defaults.run` stand for, for one agent. */
export interface PlaceholderValues {
  /** The agent's config file. */
  readonly config: string
  readonly id: string
  /** The agent's folder (its config's directory). */
  readonly dir: string
  readonly root: string
}

export const placeholderNames: ReadonlyArray<keyof PlaceholderValues> = ["config", "id", "dir", "root"]

// `{name}`: braces around anything else (`{"a": 1}`, `{}`) are text, not a placeholder.
const placeholderPattern = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g

const isPlaceholder = (name: string): name is keyof PlaceholderValues =>
  (placeholderNames as ReadonlyArray<string>).includes(name)

/** `run` keys whose strings may hold placeholders, as paths into `defaults.run`. */
const placeholderFields = (run: Readonly<Record<string, unknown>>): ReadonlyArray<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  for (const key of ["command", "cwd"] as const) {
    const v = run[key]
    if (typeof v === "string") out.push([`defaults.run.${key}`, v])
  }
  const args = run.args
  if (Array.isArray(args)) {
    args.forEach((a, i) => {
      if (typeof a === "string") out.push([`defaults.run.args[${i}]`, a])
    })
  }
  const env = run.env
  if (typeof env === "object" && env !== null && !Array.isArray(env)) {
    for (const [k, v] of Object.entries(env)) if (typeof v === "string") out.push([`defaults.run.env.${k}`, v])
  }
  return out
}

const runKeys = Object.keys(RunSpec.fields)

/**
 * Mistakes `defaults:` can hold that no agent's config would show in the right place: a `run`
 * key that does not exist, a placeholder we do not know. Each names its field; empty when none.
 */
export const defaultsProblems = (defaults: FleetDefaults): ReadonlyArray<string> => {
  const run = defaults.run
  if (run === undefined) return []
  const problems: Array<string> = []
  for (const key of Object.keys(run)) {
    if (!runKeys.includes(key)) problems.push(`defaults.run.${key}: unknown key (run keys: ${runKeys.join(", ")})`)
  }
  for (const [field, text] of placeholderFields(run)) {
    for (const [, name] of text.matchAll(placeholderPattern)) {
      if (!isPlaceholder(name!)) {
        problems.push(
          `${field}: unknown placeholder {${name}} (known: ${placeholderNames.map((n) => `{${n}}`).join(" ")})`
        )
      }
    }
  }
  return problems
}

const expand = (text: string, values: PlaceholderValues): string =>
  text.replace(placeholderPattern, (whole, name: string) => (isPlaceholder(name) ? values[name] : whole))

/**
 * `defaults.run` for one agent: placeholders replaced, and a relative `command` with a slash
 * (`bin/launcher`) made absolute against the fleet root, where agentctl.yaml is; a bare name
 * (`node`) is left to PATH.
 */
export const expandRunDefaults = (
  run: Readonly<Record<string, unknown>>,
  values: PlaceholderValues
): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...run }
  if (typeof run.command === "string") {
    const command = expand(run.command, values)
    out.command =
      command.includes("/") && !command.startsWith("/")
        ? `${values.root.replace(/\/+$/, "")}/${command.replace(/^(\.\/)+/, "")}`
        : command
  }
  if (typeof run.cwd === "string") out.cwd = expand(run.cwd, values)
  if (Array.isArray(run.args)) out.args = run.args.map((a: unknown) => (typeof a === "string" ? expand(a, values) : a))
  if (typeof run.env === "object" && run.env !== null && !Array.isArray(run.env)) {
    out.env = Object.fromEntries(
      Object.entries(run.env).map(([k, v]) => [k, typeof v === "string" ? expand(v, values) : v])
    )
  }
  return out
}

const isPlainObject = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * `under` with `over` on top: maps merge key by key, all the way down; anything else (a list,
 * a scalar, null) in `over` replaces what `under` had. So an agent's `args` replace the
 * default's rather than adding to them, and its `env` keys are added to the default's.
 */
export const mergeUnder = (under: unknown, over: unknown): unknown => {
  if (over === undefined) return under
  if (!isPlainObject(under) || !isPlainObject(over)) return over
  const out: Record<string, unknown> = { ...under }
  for (const [k, v] of Object.entries(over)) out[k] = mergeUnder(under[k], v)
  return out
}

/** An agent's config (as parsed YAML) with the fleet's defaults under it. */
export const withFleetDefaults = (
  raw: unknown,
  defaults: FleetDefaults,
  values: Omit<PlaceholderValues, "id">
): unknown => {
  if (!isPlainObject(raw)) return raw
  const agent = raw.agent
  const id = isPlainObject(agent) && typeof agent.id === "string" ? agent.id : ""
  const base: Record<string, unknown> = {}
  if (defaults.run !== undefined) base.run = expandRunDefaults(defaults.run, { ...values, id })
  if (defaults.health !== undefined) base.health = defaults.health
  if (defaults.notify !== undefined) base.notify = defaults.notify
  return mergeUnder(base, raw)
}

export const hasDefaults = (defaults: FleetDefaults): boolean =>
  defaults.run !== undefined || defaults.health !== undefined || defaults.notify !== undefined
