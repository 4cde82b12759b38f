/**
 * The HTTP API, once: the server's routes, the typed client and /openapi.json all derive from
 * this definition. Every value a request carries is decoded by the schema the OpenAPI document
 * shows (ids by core's AgentId: 400 when malformed, 404 when unknown), and bodies are strict:
 * an unknown key is a 400, as `additionalProperties: false` says.
 */
import { DatabaseBusy, UnsafePath } from "@agentctl/core/AgentData"
import { AgentId } from "@agentctl/core/AgentId"
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
import { AgentHistory } from "@agentctl/core/ExitHistory"
import {
  KillOutcome,
  ReloadOutcome,
  AgentDiff,
  ApplyOptions,
  ApplyOutcome,
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
import {
  BadRequest,
  HeaderTooLarge,
  InternalError,
  PayloadTooLarge,
  StartFailed,
  Unauthorized,
  UnsupportedMediaType
} from "./ApiErrors.ts"
import { BuildFrame, EventFrame, LogFrame } from "./Frames.ts"
import { DurationParam, FlagParam, SeqParam, StreamParam, TailParam, TimeBoundParam } from "./Params.ts"
import { AgentListRow, ClearMemoryResponse, DeleteCacheResponse, EnvEntry, Health, LogLines } from "./Responses.ts"
import { FleetStopTargets, FleetTargets } from "./Targets.ts"

/** Bearer token on TCP; the unix socket's implementation lets every request through (file mode is its auth). */
export class Auth extends HttpApiMiddleware.Service<Auth>()("@agentctl/api/Auth", {
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "The token in run/api.token (`agentctl api` prints it)")
    )
  },
  error: Unauthorized
}) {}

/**
 * What any request can meet before its handler: decoding failures (BadRequest naming the field,
 * a missing Host header too), headers over the limit (431, answered by the server before
 * routing), and encoding bugs (InternalError).
 */
export class RequestErrors extends HttpApiMiddleware.Service<RequestErrors>()("@agentctl/api/RequestErrors", {
  error: [BadRequest, HeaderTooLarge, InternalError]
}) {}

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
/** Routes with a JSON body: it can be too big or not JSON. */
const BodyErrors = [...ControlErrors, PayloadTooLarge, UnsupportedMediaType] as const

const doc = (summary: string, description?: string) =>
  OpenApi.annotations(description === undefined ? { summary } : { summary, description })
const byId = { id: AgentId }
const stopQuery = { timeout: Schema.optional(DurationParam) }

/**
 * /events reads `Last-Event-ID` and `?since=` itself (FleetHandlers), so its client call keeps no
 * arguments; the parameters are documented from the same schema it decodes them with.
 */
const resumeParameters = () => {
  const schema = Schema.toJsonSchemaDocument(SeqParam).schema
  return [
    { name: "last-event-id", in: "header", required: false, schema },
    { name: "since", in: "query", required: false, schema }
  ]
}

export class SystemGroup extends HttpApiGroup.make("system")
  .annotate(OpenApi.Description, "The API's own health; no token needed")
  .add(
    HttpApiEndpoint.get("health", "/healthz", { success: Health }).annotateMerge(doc("Liveness; no token needed"))
  ) {}

export class AgentsGroup extends HttpApiGroup.make("agents")
  .annotate(OpenApi.Description, "One agent: its state, control, stats, environment, log and data")
  .add(
    HttpApiEndpoint.get("list", "/agents", { success: Schema.Array(AgentListRow), error: ControlErrors }).annotateMerge(
      doc("Every agent: config summary, live state, messages in the last 24 h")
    ),
    HttpApiEndpoint.get("get", "/agents/:id", {
      params: byId,
      success: AgentListRow,
      error: ControlErrors
    }).annotateMerge(doc("One agent, as in the listing")),
    HttpApiEndpoint.post("start", "/agents/:id/start", {
      params: byId,
      success: StartOutcome,
      error: [...ControlErrors, AlreadyRunning, StartFailed]
    }).annotateMerge(
      doc(
        "Start one agent",
        "409 AlreadyRunning when it runs; 409 StartFailed when it does not start (command not found, bad cwd, exits at once)."
      )
    ),
    HttpApiEndpoint.post("stop", "/agents/:id/stop", {
      params: byId,
      query: stopQuery,
      success: StopOutcome,
      error: [...ControlErrors, NotRunning]
    }).annotateMerge(
      doc(
        "Stop one agent",
        "Stop signal, then SIGKILL after the stop timeout. 200 `restart-cancelled` when it was waiting to restart (backoff) and no longer is; 409 NotRunning when there was nothing to do. A client that hangs up does not cancel the stop."
      )
    ),
    HttpApiEndpoint.post("restart", "/agents/:id/restart", {
      params: byId,
      query: stopQuery,
      success: RestartOutcome,
      error: [...ControlErrors, StartFailed]
    }).annotateMerge(
      doc(
        "Stop (if running), then start one agent",
        "409 StartFailed, with the stop's outcome, when it does not start."
      )
    ),
    HttpApiEndpoint.post("kill", "/agents/:id/kill", {
      params: byId,
      success: KillOutcome,
      error: [...ControlErrors, NotRunning]
    }).annotateMerge(doc("SIGKILL every instance now", "409 NotRunning when it is not running.")),
    HttpApiEndpoint.post("enable", "/agents/:id/enable", {
      params: byId,
      success: ToggleOutcome,
      error: ControlErrors
    }).annotateMerge(doc("Set agent.enabled: true in its config (comments and layout kept)")),
    HttpApiEndpoint.post("disable", "/agents/:id/disable", {
      params: byId,
      success: ToggleOutcome,
      error: ControlErrors
    }).annotateMerge(doc("Set agent.enabled: false in its config (comments and layout kept)"))
  )
  .add(
    HttpApiEndpoint.get("stats", "/agents/:id/stats", {
      params: byId,
      success: AgentStats,
      error: ControlErrors
    }).annotateMerge(doc("Uptime, RSS, CPU% (two samples 0.5 s apart), log size, restarts")),
    HttpApiEndpoint.get("diff", "/agents/:id/diff", {
      params: byId,
      success: AgentDiff,
      error: ControlErrors
    }).annotateMerge(
      doc(
        "What a restart would change",
        "The running instance against what a start would run now from the files (`drift` null: nothing; a stopped agent has none). Env changes name the key, the file it comes from and, for keys that are not secret-looking, the values; a secret is only ever `changed`."
      )
    ),
    HttpApiEndpoint.get("history", "/agents/:id/history", {
      params: byId,
      success: AgentHistory,
      error: ControlErrors
    }).annotateMerge(
      doc(
        "Its last exits, newest first, and its restart count",
        "Each exit: `at` (unix ms), `pid`, `code`, `signal`, `reason` (crashed, exited, unhealthy, memory, stopped, killed, oom) and `uptime` (seconds). The last 50 are kept in run/history/<id>.json, across launcher restarts."
      )
    ),
    HttpApiEndpoint.get("env", "/agents/:id/env", {
      params: byId,
      success: Schema.Array(EnvEntry),
      error: ControlErrors
    }).annotateMerge(doc("The merged environment the agent starts with; secrets redacted")),
    HttpApiEndpoint.get("logs", "/agents/:id/logs", {
      params: byId,
      query: {
        tail: Schema.optional(TailParam),
        since: Schema.optional(TimeBoundParam),
        until: Schema.optional(TimeBoundParam),
        stream: Schema.optional(StreamParam),
        follow: Schema.optional(FlagParam)
      },
      success: [LogLines, HttpApiSchema.StreamSse({ events: LogFrame, error: FileError })],
      error: [...ControlErrors, BadRequest]
    }).annotateMerge(
      OpenApi.annotations({
        summary: "The last lines of the agent's log",
        description:
          "The last `tail` records (default 100) that arrived between `since` and `until` (each a duration back from now or an ISO time) on `stream`; raw lines of unknown time only when neither time is given. With follow=true, server-sent events, one per record, `id` its seq: those, then new ones; `Last-Event-ID` resumes after a seq (a 400 names a malformed one).",
        transform: (operation) => ({
          ...operation,
          parameters: [
            ...(Array.isArray(operation["parameters"]) ? operation["parameters"] : []),
            {
              name: "last-event-id",
              in: "header",
              required: false,
              schema: Schema.toJsonSchemaDocument(SeqParam).schema
            }
          ]
        })
      })
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
  .annotate(OpenApi.Description, "The whole fleet: state changes as they happen, reload, build, bulk control")
  .add(
    HttpApiEndpoint.get("events", "/events", {
      success: HttpApiSchema.StreamSse({ events: EventFrame }),
      error: BadRequest
    }).annotateMerge(
      OpenApi.annotations({
        summary: "Every state change of every agent, as server-sent events",
        description:
          "Each frame's `id` is the event's seq. With `Last-Event-ID` (or `?since=`), the buffered events after it (the API keeps the last 1000) come first, then the live ones; when the buffer no longer reaches back that far (or a reader falls more than that behind), the next event sent carries `missed`. A 400 names a malformed id.",
        transform: (operation) => ({ ...operation, parameters: resumeParameters() })
      })
    ),
    HttpApiEndpoint.post("apply", "/apply", {
      payload: ApplyOptions,
      success: Schema.Array(ApplyOutcome),
      error: BodyErrors
    }).annotateMerge(
      doc(
        "Bring what runs to what the files say",
        "Starts new and newly enabled agents, stops removed and disabled ones, restarts drifted ones (at most `parallel` at once, default 4, dependencies first) and leaves the rest alone; one outcome per agent with its reason. `dry_run`: the plan, nothing done. `ids`: only those agents."
      )
    ),
    HttpApiEndpoint.post("reload", "/reload", { success: ReloadOutcome, error: ControlErrors }).annotateMerge(
      doc(
        "The same as POST /apply with no options, answered in the older shape: started, stopped, restarted, unchanged, invalid"
      )
    ),
    HttpApiEndpoint.post("build", "/build", {
      query: { agent: Schema.optional(Schema.Array(AgentId)) },
      success: HttpApiSchema.StreamSse({ events: BuildFrame }),
      error: ControlErrors
    }).annotateMerge(
      doc(
        "Run the build",
        "The fleet's build, or one per agent with ?agent=; its output as server-sent events, ending with Done. A client that hangs up stops the build."
      )
    ),
    HttpApiEndpoint.post("start", "/fleet/start", {
      payload: FleetTargets,
      success: Schema.Array(StartOutcome),
      error: BodyErrors
    }).annotateMerge(
      doc(
        "Start agents (all: every enabled one) in depends_on order, with the dependencies they need that do not run (their outcomes first); an outcome per agent, never 409"
      )
    ),
    HttpApiEndpoint.post("stop", "/fleet/stop", {
      payload: FleetStopTargets,
      success: Schema.Array(StopOutcome),
      error: BodyErrors
    }).annotateMerge(
      doc(
        "Stop agents concurrently (one timeout in all; with all, dependents first, one timeout per depends_on level); an outcome per agent, never 409"
      )
    ),
    HttpApiEndpoint.post("restart", "/fleet/restart", {
      payload: FleetStopTargets,
      success: Schema.Array(RestartOutcome),
      error: BodyErrors
    }).annotateMerge(doc("Restart agents; an outcome per agent, never 409")),
    HttpApiEndpoint.post("kill", "/fleet/kill", {
      payload: FleetTargets,
      success: Schema.Array(KillOutcome),
      error: BodyErrors
    }).annotateMerge(doc("SIGKILL agents now; an outcome per agent, never 409"))
  )
  .middleware(Auth) {}

export const defaultServer = "http://127.0.0.1:7717"

export class Api extends HttpApi.make("agentctl")
  .add(SystemGroup, AgentsGroup, FleetGroup)
  .middleware(RequestErrors)
  .annotate(HttpApi.PayloadParseOptions, { onExcessProperty: "error" })
  .annotateMerge(
    OpenApi.annotations({
      title: "agentctl",
      description:
        "Run and watch a fleet of long-running agent programs. Errors are JSON with a stable `_tag` and a `message`.",
      servers: [{ url: defaultServer, description: "The launcher's TCP listener with the default `api:` settings" }]
    })
  ) {}
