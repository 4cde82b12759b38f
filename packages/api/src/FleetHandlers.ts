/**
 * Fleet-wide routes: the event stream (resumable, from the EventBuffer), reload, the build, and
 * the bulk actions the CLI sends to a running launcher (one request, concurrent inside; "nothing
 * to do" is an outcome, not 409).
 */
import { planBuild, runBuildSteps } from "@agentctl/core/BuildOutput"
import { Control } from "@agentctl/core/Control"
import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import { Spawner } from "@agentctl/core/Spawner"
import * as Effect from "effect/Effect"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ActionRunner, toCompletion } from "./ActionRunner.ts"
import { Api } from "./Api.ts"
import { EventBuffer, type From } from "./EventBuffer.ts"
import { badRequest } from "./HttpErrors.ts"
import { invalidating, ListCache } from "./ListCache.ts"
import { SeqParam } from "./Params.ts"
import { targetsOf } from "./Targets.ts"

const decodeSeq = Schema.decodeUnknownEffect(SeqParam)

/** Where /events resumes: after `Last-Event-ID` (what EventSource sends on reconnect), else `?since=`. */
const resumeAfter = (request: HttpServerRequest.HttpServerRequest) => {
  const header = request.headers["last-event-id"]
  if (header !== undefined) {
    return decodeSeq(header).pipe(Effect.mapError((e) => badRequest("header", e.issue, "last-event-id")))
  }
  const query = request.url.includes("?") ? new URLSearchParams(request.url.slice(request.url.indexOf("?") + 1)) : null
  const since = query?.get("since") ?? null
  if (since === null) return Effect.succeed(undefined)
  return decodeSeq(since).pipe(Effect.mapError((e) => badRequest("query", e.issue, "since")))
}

export const FleetLive = HttpApiBuilder.group(
  Api,
  "fleet",
  Effect.fn("FleetLive")(function* (handlers) {
    const control = toCompletion(invalidating(yield* Control, yield* ListCache), yield* ActionRunner)
    const events = yield* EventBuffer
    const spawner = yield* Spawner

    return handlers
      .handle("events", ({ request }) =>
        Effect.flatMap(resumeAfter(request), (seq) =>
          Effect.map(seq === undefined ? events.now : Effect.succeed<From>({ _tag: "After", seq }), events.stream)
        )
      )
      .handle("reload", () => control.reload)
      .handle("apply", ({ payload }) => control.apply(payload))
      .handle(
        "build",
        Effect.fnUntraced(function* ({ query }) {
          const fleet = yield* loadFleet()
          const agents = yield* Effect.forEach(query.agent ?? [], (id) => requireAgent(fleet, id))
          const steps = yield* planBuild(fleet, agents)
          return runBuildSteps(steps).pipe(Stream.provideService(Spawner, spawner))
        })
      )
      .handle("start", ({ payload }) => control.start(targetsOf(payload)))
      .handle("stop", ({ payload }) => control.stop(targetsOf(payload), payload.timeout))
      .handle("restart", ({ payload }) => control.restart(targetsOf(payload), payload.timeout))
      .handle("kill", ({ payload }) => control.kill(targetsOf(payload)))
  })
)
