import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type { Document } from "yaml"
import { isAgentId } from "./AgentId.ts"
import { AgentConfig, type AgentSpec } from "./AgentConfig.ts"
import { documentValue, readYamlDocument } from "./boundedYaml.ts"
import { defaultsProblems, type FleetDefaults, hasDefaults, withFleetDefaults } from "./FleetDefaults.ts"
import { FleetSettings } from "./FleetSettings.ts"

/** One config file as the fleet sees it: a usable agent, or an error naming the file and field. */
export type ConfigEntry =
  | { readonly _tag: "Valid"; readonly spec: AgentSpec }
  | { readonly _tag: "Invalid"; readonly file: string; readonly id: string | null; readonly error: string }

/** The agent id an entry claims: a valid config's, or what could be read of a broken one (null: none). */
export const entryId = (e: ConfigEntry): string | null => (e._tag === "Valid" ? e.spec.config.agent.id : e.id)

/** YAML text → plain value, or a message with the line where it broke or the limit it broke. */
export const parseYaml = (text: string): Result.Result<unknown, string> =>
  Result.flatMap(
    Result.mapError(readYamlDocument(text), (p) => p.message),
    documentValue
  )

// Enough to fix a file by; a config with thousands of wrong items must not make a message as long.
const maxIssues = 10

/** Each issue as `path: message`, the path under `under` (`defaults` for the fleet's defaults). */
const formatIssues = (issue: SchemaIssue.Issue, under?: string): string => {
  const issues = SchemaIssue.makeFormatterStandardSchemaV1()(issue).issues
  const shown = issues.slice(0, maxIssues).map((i) => {
    const keys = (i.path ?? []).map((p) => (typeof p === "object" && p !== null ? String(p.key) : String(p)))
    const path = (under === undefined ? keys : [under, ...keys]).join(".")
    return path === "" ? i.message : `${path}: ${i.message}`
  })
  const more = issues.length - shown.length
  return shown.join("; ") + (more > 0 ? `; and ${more} more` : "")
}

const decodeConfig = Schema.decodeUnknownResult(AgentConfig)
const decodeSettings = Schema.decodeUnknownResult(FleetSettings)

const agentIdOr = (id: unknown): string | null => (typeof id === "string" && isAgentId(id) ? id : null)

/** A best-effort id from a broken config, so `ls` can still name the agent. */
const idOf = (value: unknown): string | null => {
  if (typeof value !== "object" || value === null) return null
  const agent = (value as { agent?: unknown }).agent
  if (typeof agent !== "object" || agent === null) return null
  return agentIdOr((agent as { id?: unknown }).id)
}

/** The same from a document that parsed but broke a limit: looked up, not converted, since that is what failed. */
const idOfDocument = (doc: Document.Parsed | undefined): string | null =>
  doc === undefined ? null : agentIdOr(doc.getIn(["agent", "id"]))

// How much of a file that did not parse is read again for its id: `agent:` comes first in most
// configs, and this much costs microseconds whatever follows (a file over a limit, a syntax error).
const headBytes = 4096

/** The id from the first whole lines of a file, when they parse on their own. */
const idOfHead = (text: string): string | null => {
  const end = text.lastIndexOf("\n", headBytes)
  if (end <= 0) return null
  const head = readYamlDocument(text.slice(0, end + 1))
  return idOfDocument(Result.isSuccess(head) ? head.success : head.failure.document)
}

/** Where the fleet's `defaults:` come from, to merge them under a config. */
export interface FleetContext {
  readonly root: string
  readonly defaults: FleetDefaults
}

export const parseAgentConfig = (file: string, dir: string, text: string, fleet?: FleetContext): ConfigEntry => {
  const read = readYamlDocument(text)
  if (Result.isFailure(read)) {
    const { document, message } = read.failure
    const id = document === undefined ? idOfHead(text) : idOfDocument(document)
    return { _tag: "Invalid", file, id, error: `${file}: ${message}` }
  }
  const parsed = documentValue(read.success)
  if (Result.isFailure(parsed)) return { _tag: "Invalid", file, id: null, error: `${file}: ${parsed.failure}` }
  const value =
    fleet === undefined || !hasDefaults(fleet.defaults)
      ? parsed.success
      : withFleetDefaults(parsed.success, fleet.defaults, { config: file, dir, root: fleet.root })
  const decoded = decodeConfig(value, { errors: "all" })
  if (Result.isFailure(decoded)) {
    return { _tag: "Invalid", file, id: idOf(parsed.success), error: `${file}: ${formatIssues(decoded.failure.issue)}` }
  }
  return { _tag: "Valid", spec: { file, dir, config: decoded.success } }
}

/**
 * Two configs claiming one id are both unusable: starting either would make the other's
 * pid record and log ambiguous. Both are reported, each naming the other file.
 */
export const markDuplicates = (entries: ReadonlyArray<ConfigEntry>): ReadonlyArray<ConfigEntry> => {
  const files = new Map<string, Array<string>>()
  for (const e of entries) {
    const id = entryId(e)
    if (id !== null) files.set(id, [...(files.get(id) ?? []), e._tag === "Valid" ? e.spec.file : e.file])
  }
  return entries.map((e) => {
    if (e._tag !== "Valid") return e
    const same = files.get(e.spec.config.agent.id) ?? []
    if (same.length < 2) return e
    const others = same.filter((f) => f !== e.spec.file)
    return {
      _tag: "Invalid",
      file: e.spec.file,
      id: e.spec.config.agent.id,
      error: `duplicate agent id "${e.spec.config.agent.id}": defined in ${e.spec.file} and ${others.join(", ")}`
    }
  })
}

/** `agentctl.yaml` (absent → defaults). */
export const parseFleetSettings = (file: string, text: string | null): Result.Result<FleetSettings, string> => {
  if (text === null) return decodeSettings({}).pipe(Result.mapError(() => `${file}: defaults failed to decode`))
  const parsed = parseYaml(text)
  if (Result.isFailure(parsed)) return Result.fail(`${file}: ${parsed.failure}`)
  const value = parsed.success ?? {}
  const decoded = decodeSettings(value, { errors: "all" })
  if (Result.isFailure(decoded)) return Result.fail(`${file}: ${formatIssues(decoded.failure.issue)}`)
  const problem = defaultsProblem(decoded.success.defaults)
  return problem === null ? Result.succeed(decoded.success) : Result.fail(`${file}: ${problem}`)
}

/**
 * What is wrong with `defaults:`, named as its fields, or null. Its values are checked the way
 * every agent will see them: merged under a config that has only an id (and a command, should
 * the defaults leave it to each agent), placeholders standing for sample paths.
 */
const defaultsProblem = (defaults: FleetDefaults): string | null => {
  const problems = defaultsProblems(defaults)
  if (problems.length > 0) return problems.slice(0, maxIssues).join("; ")
  if (!hasDefaults(defaults)) return null
  const probe = { agent: { id: "defaults" }, ...(defaults.run?.command === undefined ? { run: { command: "x" } } : {}) }
  const merged = withFleetDefaults(probe, defaults, {
    config: "/fleet/agents/defaults/config.yaml",
    dir: "/fleet/agents/defaults",
    root: "/fleet"
  })
  const decoded = decodeConfig(merged, { errors: "all" })
  if (Result.isSuccess(decoded)) return null
  return formatIssues(decoded.failure.issue, "defaults")
}
