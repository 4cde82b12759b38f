/**
 * `/agents/...`: per-agent control through core `Control` (the daemonless programs or the
 * launcher, whichever is provided), plus stats, env, logs and the agent-data operations.
 */
import * as AgentData from "@agentctl/core/AgentData"
import { agentEnv } from "@agentctl/core/AgentEnv"
import type { AgentRow } from "@agentctl/core/AgentRow"
import { Control } from "@agentctl/core/Control"
import { redactEntries } from "@agentctl/core/env"
import { AlreadyRunning, NotRunning } from "@agentctl/core/Errors"
import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import { AgentLogs, type LogQuery } from "@agentctl/core/AgentLogs"
import { parseTimeBound, resolveTimeBound } from "@agentctl/core/logTime"
import { statsFor } from "@agentctl/core/Stats"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Schema from "effect/Schema"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { ActionRunner, toCompletion } from "./ActionRunner.ts"
import { Api } from "./Api.ts"
import type { AgentListRow } from "./Responses.ts"
import { StartFailed } from "./ApiErrors.ts"
import { invalidating, ListCache } from "./ListCache.ts"
import { MessagesCache } from "./MessagesCache.ts"
import { badRequest } from "./HttpErrors.ts"
import { defaultTail, SeqParam } from "./Params.ts"
import { diffOfRow } from "@agentctl/core/spawnDrift"

const decodeSeq = Schema.decodeUnknownEffect(SeqParam)

/** `Last-Event-ID` of a reconnecting log follower: the seq of the last record it received. */
const lastEventId = (request: HttpServerRequest.HttpServerRequest) => {
  const header = request.headers["last-event-id"]
  if (header === undefined) return Effect.succeed(null)
  return decodeSeq(header).pipe(Effect.mapError((e) => badRequest("header", e.issue, "last-event-id")))
}

/**
 * `Cache-Control: no-cache` (or `no-store`, `max-age=0`): the client wants the listing as of now,
 * not the one shared within this second. `agentctl ls` sends it, so an edit shows at once.
 */
const wantsFresh = (request: HttpServerRequest.HttpServerRequest) =>
  /\b(no-cache|no-store|max-age=0)\b/i.test(request.headers["cache-control"] ?? "")

const one = (id: string) => ({ _tag: "Ids", ids: [id] }) as const

/** The outcome for `id` among a control action's outcomes; Control always answers for every target. */
const outcomeFor = <A extends { readonly id: string }>(id: string, outcomes: ReadonlyArray<A>) => {
  const found = outcomes.find((o) => o.id === id)
  return found === undefined ? Effect.die(new Error(`Control returned no outcome for ${id}`)) : Effect.succeed(found)
}

export const AgentsLive = HttpApiBuilder.group(
  Api,
  "agents",
  Effect.fn("AgentsLive")(function* (handlers) {
    const context = yield* Effect.context<Control | MessagesCache>()
    const runner = yield* ActionRunner
    const control = toCompletion(invalidating(yield* Control, yield* ListCache), runner)
    const messages = yield* MessagesCache
    const agentLogs = yield* AgentLogs
    const listCache = yield* ListCache

    const withMessages = (row: AgentRow): Effect.Effect<AgentListRow> =>
      row.id === null
        ? Effect.succeed({ ...row, messages_24h: null })
        : Effect.map(messages.get(row.id), (m) => ({ ...row, messages_24h: m }))

    return handlers
      .handle("list", ({ request }) =>
        Effect.map(listCache.body(wantsFresh(request)), (body) =>
          HttpServerResponse.uint8Array(body, { contentType: "application/json" })
        )
      )
      .handle("get", ({ params }) => Effect.flatMap(control.status(params.id), withMessages))
      .handle("diff", ({ params }) => Effect.map(control.status(params.id), diffOfRow))
      .handle(
        "start",
        Effect.fnUntraced(function* ({ params: { id } }) {
          const o = yield* outcomeFor(id, yield* control.start(one(id)))
          if (o.result === "already-running") {
            return yield* AlreadyRunning.withPid(id, o.pid ?? 0)
          }
          if (o.result === "failed") {
            const reason = o.error ?? "no reason given"
            return yield* new StartFailed({ id, reason, stopped: null, message: `failed to start ${id}: ${reason}` })
          }
          return o
        })
      )
      .handle(
        "stop",
        Effect.fnUntraced(function* ({ params: { id }, query }) {
          const o = yield* outcomeFor(id, yield* control.stop(one(id), query.timeout))
          // restart-cancelled (it was in backoff, waiting to restart) is a real action: 200 with the outcome.
          if (o.result === "not-running") return yield* NotRunning.nothingTo("stop", id)
          return o
        })
      )
      .handle(
        "restart",
        Effect.fnUntraced(function* ({ params: { id }, query }) {
          const out = yield* control.restart(one(id), query.timeout)
          const o = yield* outcomeFor(
            id,
            out.map((r) => ({ id: r.stop.id, stop: r.stop, start: r.start }))
          )
          if (o.start.result === "failed") {
            const reason = o.start.error ?? "no reason given"
            const message =
              o.stop.result === "stopped"
                ? `stopped ${id} but failed to start it: ${reason}`
                : `failed to start ${id}: ${reason}`
            return yield* new StartFailed({ id, reason, stopped: o.stop, message })
          }
          return { stop: o.stop, start: o.start }
        })
      )
      .handle(
        "kill",
        Effect.fnUntraced(function* ({ params: { id } }) {
          const o = yield* outcomeFor(id, yield* control.kill(one(id)))
          if (o.result === "not-running") return yield* NotRunning.nothingTo("kill", id)
          return o
        })
      )
      .handle("enable", ({ params }) => control.setEnabled(params.id, true))
      .handle("disable", ({ params }) => control.setEnabled(params.id, false))
      .handle("stats", ({ params }) =>
        control.status(params.id).pipe(
          Effect.flatMap((row) => statsFor([row])),
          Effect.flatMap((stats) => outcomeFor(params.id, stats)),
          Effect.provideContext(context)
        )
      )
      .handle("history", ({ params }) => control.history(params.id))
      .handle("env", ({ params }) =>
        Effect.gen(function* () {
          const fleet = yield* loadFleet()
          const spec = yield* requireAgent(fleet, params.id)
          return redactEntries(yield* agentEnv(fleet.settings, spec), false)
        })
      )
      .handle("logs", ({ params: { id }, query, request }) =>
        Effect.gen(function* () {
          yield* control.status(id)
          const now = yield* Clock.currentTimeMillis
          const bound = (text: string | undefined) => {
            const parsed = text === undefined ? undefined : parseTimeBound(text)
            return parsed === undefined ? null : resolveTimeBound(parsed, now)
          }
          const logQuery: LogQuery = {
            tail: query.tail ?? defaultTail,
            since: bound(query.since),
            until: bound(query.until),
            stream: query.stream ?? null,
            afterSeq: null
          }
          if (query.follow === true) {
            const afterSeq = yield* lastEventId(request)
            // A resume continues right after the last record received, however many that is.
            return agentLogs.follow(id, afterSeq === null ? logQuery : { ...logQuery, tail: null, afterSeq })
          }
          const records = yield* agentLogs.read(id, logQuery)
          return { id, lines: records.map((r) => r.text), records }
        })
      )
      .handle("clearMemory", ({ params: { id } }) =>
        AgentData.clearMemory(id).pipe(
          Effect.tap(() => Effect.andThen(messages.invalidate(id), listCache.invalidate)),
          runner.run,
          Effect.map((paused) => ({
            status: "ok" as const,
            ...paused.result,
            restarted: paused.restarted,
            restart_error: paused.restartError
          }))
        )
      )
      .handle("deleteCache", ({ params: { id } }) =>
        AgentData.deleteCache(id).pipe(
          runner.run,
          Effect.map((paused) => ({
            status: "ok" as const,
            ...paused.result,
            restarted: paused.restarted,
            restart_error: paused.restartError
          }))
        )
      )
  })
)
