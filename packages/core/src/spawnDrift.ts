import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js"
import type { AgentSpec } from "./AgentConfig.ts"
import { canonicalJson } from "./canonicalJson.ts"
import type { ConfigEntry } from "./ConfigFile.ts"
import { type EnvEntry, isSecretKey } from "./env.ts"
import type { AgentDiff } from "./Outcomes.ts"
import type { DriftChange, RecordedVar, SpawnedSpec, SpawnRecord } from "./SpawnRecord.ts"

/*
 * Drift: what a start would run now (a SpawnIntent, resolved from the files as `start` resolves
 * them) against what the running process was started with (its SpawnRecord). Pure, so every case
 * is a row of a table test, and the same functions serve the launcher, the daemonless commands
 * and the Effect-free `ls`. SHA-256 is @noble/hashes' (pure JS, synchronous): the same code runs
 * wherever a record is written or compared, with nothing of Node's crypto to load.
 */

type Json = SpawnedSpec["settings"][string]

/** A start's resolved spec, values in clear (it never leaves memory in this form). */
export interface SpawnIntent {
  readonly file: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  /** The merged environment without the host's layer. */
  readonly env: ReadonlyArray<EnvEntry>
  readonly settings: Readonly<Record<string, Json>>
}

/**
 * Decoded config values are JSON already (optional keys are absent, never undefined), so they
 * are recorded as they are; only an absent `max_memory` becomes null.
 */
const asJson = (value: unknown): Json => (value ?? null) as Json

/** Two JSON values alike, as their canonical JSON would be, without building either text. */
const sameJson = (a: Json, b: Json): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i]!, b[i]!)) return false
    return true
  }
  const x = a as Readonly<Record<string, Json | undefined>>
  const y = b as Readonly<Record<string, Json | undefined>>
  const keys = Object.keys(x).filter((k) => x[k] !== undefined)
  if (keys.length !== Object.keys(y).filter((k) => y[k] !== undefined).length) return false
  for (const k of keys) {
    const other = Object.hasOwn(y, k) ? y[k] : undefined
    if (other === undefined || !sameJson(x[k]!, other)) return false
  }
  return true
}

export const spawnIntent = (spec: AgentSpec, cwd: string, env: ReadonlyArray<EnvEntry>): SpawnIntent => {
  const { run, health, notify, depends_on } = spec.config
  return {
    file: spec.file,
    command: run.command,
    args: run.args,
    cwd,
    env: env.filter((e) => e.source !== "host"),
    settings: {
      stop_signal: run.stop_signal,
      stop_timeout: run.stop_timeout,
      restart: run.restart,
      max_memory: asJson(run.max_memory),
      notify,
      health: asJson(health),
      depends_on: asJson(depends_on)
    }
  }
}

const hex = (text: string) => bytesToHex(sha256(utf8ToBytes(text)))

/**
 * A fresh salt for one record's secret hashes. A salt must be unique, not secret (it is stored
 * beside the hashes), so Math.random serves: taking WebCrypto's random bytes would load OpenSSL
 * into every process that starts an agent, the launcher included, for nothing.
 */
export const newSalt = (): string =>
  Array.from({ length: 4 }, () =>
    Math.floor(Math.random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, "0")
  ).join("")

const recordedVar = (salt: string, e: EnvEntry): RecordedVar =>
  isSecretKey(e.key)
    ? { source: e.source, sha256: hex(`${salt}\u0000${e.value}`) }
    : { source: e.source, value: e.value }

/** What `digest` covers: values (or their hashes), not where each came from. */
const digestOf = (spec: SpawnedSpec): string =>
  hex(
    canonicalJson({
      ...spec,
      env: Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, v.value ?? { sha256: v.sha256 }]))
    })
  )

const specOf = (intent: SpawnIntent, salt: string): SpawnedSpec => ({
  command: intent.command,
  args: intent.args,
  cwd: intent.cwd,
  env: Object.fromEntries(intent.env.map((e) => [e.key, recordedVar(salt, e)])),
  settings: intent.settings
})

export const recordSpawn = (intent: SpawnIntent, salt: string): SpawnRecord => {
  const spec = specOf(intent, salt)
  return { digest: digestOf(spec), salt, file: intent.file, spec }
}

const sameVar = (a: RecordedVar, b: RecordedVar) => a.value === b.value && a.sha256 === b.sha256

const envChanges = (before: SpawnedSpec["env"], after: SpawnedSpec["env"]): Array<DriftChange> => {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].toSorted()
  return keys.flatMap((key): Array<DriftChange> => {
    const was = Object.hasOwn(before, key) ? before[key] : undefined
    const now = Object.hasOwn(after, key) ? after[key] : undefined
    if (was !== undefined && now !== undefined && sameVar(was, now)) return []
    const secret = isSecretKey(key)
    const change = was === undefined ? "added" : now === undefined ? "removed" : "changed"
    return [
      {
        _tag: "Env",
        key,
        change,
        source: (now ?? was)!.source,
        secret,
        before: secret ? null : (was?.value ?? null),
        after: secret ? null : (now?.value ?? null)
      }
    ]
  })
}

/**
 * What changed between the record of a running process and a start now; null when nothing a
 * restart would change did. `now` null: no valid config defines the agent any more.
 */
export const driftOf = (record: SpawnRecord, now: SpawnIntent | null): ReadonlyArray<DriftChange> | null => {
  if (now === null) return [{ _tag: "ConfigRemoved", file: record.file }]
  const was = record.spec
  const is = specOf(now, record.salt)
  // Field by field, without hashing `is`: `ls` compares every running agent on every call, and
  // hashing each spec's JSON was most of what drift cost it. No change found is the digest's "same".
  const fields: Array<DriftChange> = []
  const field = (name: string, before: Json, after: Json) => {
    if (!sameJson(before, after)) fields.push({ _tag: "Field", field: name, before, after })
  }
  field("command", was.command, is.command)
  field("args", was.args, is.args)
  field("cwd", was.cwd, is.cwd)
  for (const name of [...new Set([...Object.keys(was.settings), ...Object.keys(is.settings)])].toSorted()) {
    field(name, was.settings[name] ?? null, is.settings[name] ?? null)
  }
  const changes = [...fields, ...envChanges(was.env, is.env)]
  return changes.length > 0 ? changes : null
}

const brief = (value: Json): string => {
  if (typeof value === "string") return value
  if (Array.isArray(value)) return `[${value.map(brief).join(", ")}]`
  return JSON.stringify(value)
}

const isScalarList = (value: Json) => Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)

/** One line for `ls` and a row's reason: `env: +NEW, -OLD, ~API_URL (value changed); agent .env changed`. */
export const driftSummary = (changes: ReadonlyArray<DriftChange>): string => {
  const parts: Array<string> = []
  const env: Array<string> = []
  const files = new Set<string>()
  for (const c of changes) {
    switch (c._tag) {
      case "ConfigRemoved":
        parts.push("config file removed")
        break
      case "ConfigInvalid":
        parts.push("config invalid")
        break
      case "Field": {
        const { before, after } = c
        const plain = (v: Json) => typeof v !== "object" || v === null || isScalarList(v)
        parts.push(
          plain(before) && plain(after) ? `${c.field}: ${brief(before)} → ${brief(after)}` : `${c.field} changed`
        )
        break
      }
      case "Env":
        env.push(
          c.change === "added" ? `+${c.key}` : c.change === "removed" ? `-${c.key}` : `~${c.key} (value changed)`
        )
        if (c.source === "agent .env" || c.source === "fleet .env") files.add(c.source)
        break
    }
  }
  if (env.length > 0) parts.push(`env: ${env.join(", ")}`)
  for (const f of [...files].toSorted()) parts.push(`${f} changed`)
  return parts.join("; ")
}

/** `agentctl diff`: one line per change, non-secret values shown. */
export const driftLines = (changes: ReadonlyArray<DriftChange>): ReadonlyArray<string> =>
  changes.map((c) => {
    switch (c._tag) {
      case "ConfigRemoved":
        return `config file removed: ${c.file}`
      case "ConfigInvalid":
        return `config invalid (what runs is left as it is): ${c.error}`
      case "Field":
        return `${c.field}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`
      case "Env": {
        const mark = c.change === "added" ? "+" : c.change === "removed" ? "-" : "~"
        const values = c.secret
          ? "(secret: value not shown)"
          : c.change === "added"
            ? `= ${JSON.stringify(c.after)}`
            : c.change === "removed"
              ? `(was ${JSON.stringify(c.before)})`
              : `${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`
        return `env ${mark}${c.key} ${values} [${c.source}]`
      }
    }
  })

/** What a start of one agent would do now, as far as drift is concerned. */
export type StartNow =
  | { readonly _tag: "Intent"; readonly intent: SpawnIntent }
  /** Its config, or a `.env` it reads, does not parse: a start would fail. */
  | { readonly _tag: "Invalid"; readonly file: string; readonly error: string }
  /** No config defines it any more. */
  | { readonly _tag: "Removed" }

/** An agent's environment as a start would merge it now, or the file that stops it. */
export type EnvOutcome =
  | { readonly _tag: "Env"; readonly env: ReadonlyArray<EnvEntry> }
  | { readonly _tag: "Invalid"; readonly file: string; readonly error: string }

/**
 * What a start of each of `ids` would do now, from the fleet's entries and each valid agent's
 * environment (`envOf`, read by the caller its own way: the Effect path or the Effect-free `ls`).
 */
export const startsFrom = (
  entries: ReadonlyArray<ConfigEntry>,
  ids: Iterable<string>,
  envOf: (spec: AgentSpec) => EnvOutcome,
  cwdOf: (spec: AgentSpec) => string
): ReadonlyMap<string, StartNow> => {
  const valid = new Map<string, AgentSpec>()
  const broken = new Map<string, { readonly file: string; readonly error: string }>()
  for (const e of entries) {
    if (e._tag === "Valid") valid.set(e.spec.config.agent.id, e.spec)
    else if (e.id !== null && !broken.has(e.id)) broken.set(e.id, { file: e.file, error: e.error })
  }
  const out = new Map<string, StartNow>()
  for (const id of ids) {
    const spec = valid.get(id)
    const bad = broken.get(id)
    if (spec === undefined) {
      out.set(id, bad === undefined ? { _tag: "Removed" } : { _tag: "Invalid", ...bad })
      continue
    }
    const env = envOf(spec)
    out.set(id, env._tag === "Invalid" ? env : { _tag: "Intent", intent: spawnIntent(spec, cwdOf(spec), env.env) })
  }
  return out
}

/**
 * A running instance's drift: null when it runs what a start now would run, or when its record
 * does not say what it was started with (repaired at adoption, or from before drift existed).
 */
export const driftNow = (spawned: SpawnRecord | undefined, now: StartNow): ReadonlyArray<DriftChange> | null => {
  if (spawned === undefined) return null
  switch (now._tag) {
    case "Intent":
      return driftOf(spawned, now.intent)
    case "Invalid":
      return [{ _tag: "ConfigInvalid", file: now.file, error: now.error }]
    case "Removed":
      return driftOf(spawned, null)
  }
}

/** A row's drift as `diff` tells it. */
export const diffOfRow = (row: {
  readonly id: string | null
  readonly pid: number | null
  readonly drift: ReadonlyArray<DriftChange> | null
}): AgentDiff => ({
  id: row.id ?? "",
  running: row.pid !== null,
  drift: row.drift,
  summary: row.drift === null ? null : driftSummary(row.drift),
  lines: row.drift === null ? [] : driftLines(row.drift)
})
