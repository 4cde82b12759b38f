/**
 * The API's own response bodies (core's outcomes, rows and stats are the rest), each with an
 * identifier so /openapi.json holds it once and refers to it.
 */
import { ClearedMemory, DeletedCache } from "@agentctl/core/AgentData"
import { AgentRow } from "@agentctl/core/AgentRow"
import * as Schema from "effect/Schema"

export const AgentListRow = Schema.Struct({
  ...AgentRow.fields,
  /** Messages in memory.db newer than 24 h (cached 30 s); null without a memory.db. */
  messages_24h: Schema.NullOr(Schema.Int)
}).annotate({ identifier: "AgentListRow" })
export type AgentListRow = typeof AgentListRow.Type

export const Health = Schema.Struct({
  status: Schema.Literal("ok"),
  version: Schema.String,
  pid: Schema.Int,
  /** seconds since the API started */
  uptime: Schema.Finite
}).annotate({ identifier: "Health" })

/** One record of an agent's log (core LogRecord.ts); seq and at are null for a raw line. */
export const LogRecordJson = Schema.Struct({
  seq: Schema.NullOr(Schema.Int),
  at: Schema.NullOr(Schema.Int),
  stream: Schema.Literals(["stdout", "stderr", "agentctl"]),
  text: Schema.String,
  cut: Schema.Boolean,
  partial: Schema.Boolean
}).annotate({ identifier: "LogRecord" })

/** `lines` is each record's text, kept for clients of the line-only answer. */
export const LogLines = Schema.Struct({
  id: Schema.String,
  lines: Schema.Array(Schema.String),
  records: Schema.Array(LogRecordJson)
}).annotate({
  identifier: "LogLines"
})
export type LogLines = typeof LogLines.Type
export type LogRecordJson = typeof LogRecordJson.Type

export const EnvEntry = Schema.Struct({ key: Schema.String, value: Schema.String, source: Schema.String }).annotate({
  identifier: "EnvEntry"
})

const Restarted = {
  /** The agent was running, was stopped for the operation and is running again. */
  restarted: Schema.Boolean,
  /** It was running but failed to start again (the operation itself succeeded). */
  restart_error: Schema.NullOr(Schema.String)
}

export const ClearMemoryResponse = Schema.Struct({
  status: Schema.Literal("ok"),
  ...ClearedMemory.fields,
  ...Restarted
}).annotate({ identifier: "ClearMemoryResponse" })
export type ClearMemoryResponse = typeof ClearMemoryResponse.Type

export const DeleteCacheResponse = Schema.Struct({
  status: Schema.Literal("ok"),
  ...DeletedCache.fields,
  ...Restarted
}).annotate({ identifier: "DeleteCacheResponse" })
export type DeleteCacheResponse = typeof DeleteCacheResponse.Type
