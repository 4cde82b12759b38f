/**
 * The HTTP API, once: the server's routes, the typed client and /openapi.json all derive from
 * this definition. Ids are validated by core's AgentId (400 when malformed, 404 when unknown).
 */
import { ClearedMemory, DatabaseBusy, DeletedCache, UnsafePath } from "@agentctl/core/AgentData"
import { AgentEvent } from "@agentctl/core/AgentEvent"
import { AgentId } from "@agentctl/core/AgentId"
import { AgentRow } from "@agentctl/core/AgentRow"
import { BuildEvent } from "@agentctl/core/BuildOutput"
import {
  AgentNotFound,
  AlreadyRunning,
  ConfigInvalid,
  FileError,
  FleetLocked,
  LauncherActive,
  LauncherUnreachable,
  NotRunning,
  ProbeFailed,
  SignalDenied,
  UsageError
} from "@agentctl/core/Errors"
import {
  KillOutcome,
  ReloadOutcome,
  RestartOutcome,
  StartOutcome,
  StopOutcome,
  ToggleOutcome
} from "@agentctl/core/Outcomes"
import { AgentStats } from "@agentctl/core/Stats"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as HttpApiSecurity from "effect/http-api/HttpApiSecurity"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import { BadRequest, InternalError, StartFailed, Unauthorized } from "./ApiErrors.ts"
import { DurationParam, FlagParam, TailParam } from "./Params.ts"

/** Bearer token on TCP; the unix socket's implementation lets every request through (file mode is its auth). */
export class Auth extends HttpApiMiddleware.Service<Auth>()("@agentctl/api/Auth", {
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "The token in run/api.token (`agentctl api` prints it)")
    )
  },
  error: Unauthorized
}) {}

/** Turns request decoding failures into a BadRequest naming the field, and encoding bugs into InternalError. */
export class RequestErrors extends HttpApiMiddleware.Service<RequestErrors>()("@agentctl/api/RequestErrors", {
  error: [BadRequest, InternalError]
}) {}

export const AgentListRow = Schema.Struct({
  ...AgentRow.fields,
  /** Messages in memory.db newer than 24 h (cached 30 s); null without a memory.db. */
  messages_24h: Schema.NullOr(Schema.Number)
})
export type AgentListRow = typeof AgentListRow.Type

export const Health = Schema.Struct({
  status: Schema.Literal("ok"),
  version: Schema.String,
  pid: Schema.Int,
  /** seconds since the API started */
  uptime: Schema.Number
})

export const LogLines = Schema.Struct({ id: Schema.String, lines: Schema.Array(Schema.String) })
export type LogLines = typeof LogLines.Type

export const EnvEntry = Schema.Struct({ key: Schema.String, value: Schema.String, source: Schema.String })

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
})
export type ClearMemoryResponse = typeof ClearMemoryResponse.Type
export const DeleteCacheResponse = Schema.Struct({ status: Schema.Literal("ok"), ...DeletedCache.fields, ...Restarted })
export type DeleteCacheResponse = typeof DeleteCacheResponse.Type

/** Body of the bulk endpoints: explicit ids, or `all` (every enabled agent for start, every agent otherwise). */
export const FleetTargets = Schema.Struct({
  ids: Schema.optional(Schema.Array(AgentId)),
  all: Schema.optional(Schema.Boolean)
})
export const FleetStopTargets = Schema.Struct({
  ...FleetTargets.fields,
  /** overrides each agent's stop_timeout, e.g. "2s" */
  timeout: Schema.optional(DurationParam)
})
export type FleetStopTargets = typeof FleetStopTargets.Type

const ControlErrors = [
  AgentNotFound,
  ConfigInvalid,
  FileError,
  ProbeFailed,
  SignalDenied,
  UsageError,
  FleetLocked,
  LauncherActive,
  LauncherUnreachable
] as const
const DataErrors = [...ControlErrors, DatabaseBusy, UnsafePath] as const

const doc = (summary: string) => OpenApi.annotations({ summary })
const byId = { id: AgentId }
const stopQuery = { timeout: Schema.optional(DurationParam) }

export class SystemGroup extends HttpApiGroup.make("system").add(
  HttpApiEndpoint.get("health", "/healthz", { success: Health }).annotateMerge(doc("Liveness; no token needed"))
) {}

export class AgentsGroup extends HttpApiGroup.make("agents")
  .add(
    HttpApiEndpoint.get("list", "/agents", { success: Schema.Array(AgentListRow), error: ControlErrors }).annotateMerge(
      doc("Every agent: config summary, live state, messages in the last 24 h")
    ),
    HttpApiEndpoint.get("get", "/agents/:id", { params: byId, success: AgentListRow, error: ControlErrors }),
    HttpApiEndpoint.post("start", "/agents/:id/start", {
      params: byId,
      success: StartOutcome,
      error: [...ControlErrors, AlreadyRunning, StartFailed]
    }).annotateMerge(doc("Start one agent; 409 AlreadyRunning when it runs")),
    HttpApiEndpoint.post("stop", "/agents/:id/stop", {
      params: byId,
      query: stopQuery,
      success: StopOutcome,
      error: [...ControlErrors, NotRunning]
    }).annotateMerge(doc("Stop signal, then SIGKILL after the stop timeout; 409 NotRunning when it is not running")),
    HttpApiEndpoint.post("restart", "/agents/:id/restart", {
      params: byId,
      query: stopQuery,
      success: RestartOutcome,
      error: [...ControlErrors, StartFailed]
    }),
    HttpApiEndpoint.post("kill", "/agents/:id/kill", {
      params: byId,
      success: KillOutcome,
      error: [...ControlErrors, NotRunning]
    }).annotateMerge(doc("SIGKILL every instance now; 409 NotRunning when it is not running")),
    HttpApiEndpoint.post("enable", "/agents/:id/enable", {
      params: byId,
      success: ToggleOutcome,
      error: ControlErrors
    }),
    HttpApiEndpoint.post("disable", "/agents/:id/disable", {
      params: byId,
      success: ToggleOutcome,
      error: ControlErrors
    })
  )
  .add(
    HttpApiEndpoint.get("stats", "/agents/:id/stats", { params: byId, success: AgentStats, error: ControlErrors }),
    HttpApiEndpoint.get("env", "/agents/:id/env", {
      params: byId,
      success: Schema.Array(EnvEntry),
      error: ControlErrors
    }).annotateMerge(doc("The merged environment the agent starts with; secrets redacted")),
    HttpApiEndpoint.get("logs", "/agents/:id/logs", {
      params: byId,
      query: { tail: Schema.optional(TailParam), follow: Schema.optional(FlagParam) },
      success: [LogLines, HttpApiSchema.StreamSse({ data: Schema.String, error: FileError })],
      error: ControlErrors
    }).annotateMerge(
      doc("The last `tail` lines (default 100); with follow=true, server-sent events: those, then new ones")
    ),
    HttpApiEndpoint.post("clearMemory", "/agents/:id/clear_memory", {
      params: byId,
      success: ClearMemoryResponse,
      error: DataErrors
    }).annotateMerge(doc("Delete every row of messages and facts (stopping and restarting a running agent)")),
    HttpApiEndpoint.post("deleteCache", "/agents/:id/delete_cache", {
      params: byId,
      success: DeleteCacheResponse,
      error: DataErrors
    }).annotateMerge(doc("Remove data/<id>/crypto and data/<id>/cache (stopping and restarting a running agent)"))
  )
  .middleware(Auth) {}

export class FleetGroup extends HttpApiGroup.make("fleet")
  .add(
    HttpApiEndpoint.get("events", "/events", {
      success: HttpApiSchema.StreamSse({ data: AgentEvent })
    }).annotateMerge(doc("Server-sent events: every state change of every agent")),
    HttpApiEndpoint.post("reload", "/reload", { success: ReloadOutcome, error: ControlErrors }),
    HttpApiEndpoint.post("build", "/build", {
      query: { agent: Schema.optional(Schema.Array(AgentId)) },
      success: HttpApiSchema.StreamSse({ data: BuildEvent }),
      error: ControlErrors
    }).annotateMerge(doc("Run the build (per agent with ?agent=); its output as server-sent events, ending with Done")),
    HttpApiEndpoint.post("start", "/fleet/start", {
      payload: FleetTargets,
      success: Schema.Array(StartOutcome),
      error: ControlErrors
    }),
    HttpApiEndpoint.post("stop", "/fleet/stop", {
      payload: FleetStopTargets,
      success: Schema.Array(StopOutcome),
      error: ControlErrors
    }),
    HttpApiEndpoint.post("restart", "/fleet/restart", {
      payload: FleetStopTargets,
      success: Schema.Array(RestartOutcome),
      error: ControlErrors
    }),
    HttpApiEndpoint.post("kill", "/fleet/kill", {
      payload: FleetTargets,
      success: Schema.Array(KillOutcome),
      error: ControlErrors
    })
  )
  .middleware(Auth) {}

export class Api extends HttpApi.make("agentctl")
  .add(SystemGroup, AgentsGroup, FleetGroup)
  .middleware(RequestErrors)
  .annotateMerge(
    OpenApi.annotations({
      title: "agentctl",
      description:
        "Run and watch a fleet of long-running agent programs. Errors are JSON with a stable `_tag` and a `message`."
    })
  ) {}
