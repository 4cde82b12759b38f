import * as Schema from "effect/Schema"

/*
 * What a process was started with, kept in its pid record (PidRecord.ts), so that "is it running
 * what its files say now?" is computed, not guessed from file times: the same resolution a start
 * would do now, compared with what the start did then (spawnDrift.ts).
 */

/** One variable the process got: its value in clear, or for a secret-looking key only a salted hash. */
export const RecordedVar = Schema.Struct({
  /** The layer it came from (env.ts EnvSource), to say which file changed. */
  source: Schema.String,
  value: Schema.optionalKey(Schema.String),
  sha256: Schema.optionalKey(Schema.String)
})
export type RecordedVar = typeof RecordedVar.Type

/**
 * Everything of the resolved spec a restart would change. Not the host environment (the
 * launcher's or a shell's: `ls` from another terminal must not call every agent drifted), and
 * not `run.logs`, which the launcher applies to a running agent's output as it is.
 */
export const SpawnedSpec = Schema.Struct({
  command: Schema.String,
  args: Schema.Array(Schema.String),
  cwd: Schema.String,
  env: Schema.Record(Schema.String, RecordedVar),
  /** stop_signal, stop_timeout, restart, notify, max_memory, health, depends_on: as decoded. */
  settings: Schema.Record(Schema.String, Schema.Json)
})
export type SpawnedSpec = typeof SpawnedSpec.Type

export const SpawnRecord = Schema.Struct({
  /** sha256 of the spec's canonical JSON (sources left out: a variable that moved files but kept its value is no change). */
  digest: Schema.String,
  /** Hex salt of this record's secret hashes: the same secret in two records hashes differently. */
  salt: Schema.String,
  /** The config file it was started from. */
  file: Schema.String,
  spec: SpawnedSpec
})
export type SpawnRecord = typeof SpawnRecord.Type

/** One difference between what runs and what a start would run now. */
export const DriftChange = Schema.Union([
  Schema.TaggedStruct("Env", {
    key: Schema.String,
    change: Schema.Literals(["added", "removed", "changed"]),
    /** Where the value a start would use comes from (the removed one's, for a removal). */
    source: Schema.String,
    secret: Schema.Boolean,
    /** The values, for a key that is not secret-looking; null where there is none (or a secret). */
    before: Schema.NullOr(Schema.String),
    after: Schema.NullOr(Schema.String)
  }),
  /** command, args, cwd, or one of the spec's settings (stop_timeout, restart, health, ...). */
  Schema.TaggedStruct("Field", { field: Schema.String, before: Schema.Json, after: Schema.Json }),
  /** The config it was started from is gone, or no longer defines this agent. */
  Schema.TaggedStruct("ConfigRemoved", { file: Schema.String }),
  /** Its config no longer parses: a start would fail; what runs is left as it is. */
  Schema.TaggedStruct("ConfigInvalid", { file: Schema.String, error: Schema.String })
]).annotate({ identifier: "DriftChange" })
export type DriftChange = typeof DriftChange.Type

/** null: what runs is what the files say (or nothing runs). Else at least one change. */
export const Drift = Schema.NullOr(Schema.Array(DriftChange)).annotate({ identifier: "Drift" })
export type Drift = typeof Drift.Type
