/**
 * Fleet-wide routes: the event stream, reload, the build, and the bulk actions the CLI sends
 * to a running launcher (one request, concurrent inside; "nothing to do" is an outcome, not 409).
 */
import { planBuild, runBuildSteps } from "@agentctl/core/BuildOutput"
import { Control, type Targets } from "@agentctl/core/Control"
import { UsageError } from "@agentctl/core/Errors"
import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import { Spawner } from "@agentctl/core/Spawner"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as Stream from "effect/Stream"
import { invalidating, ListCache } from "./ListCache.ts"
import { Api } from "./Api.ts"

/** `{ids}` or `{all: true}`, exactly one of them. */
export const targetsOf = (body: {
  readonly ids?: ReadonlyArray<string> | undefined
  readonly all?: boolean | undefined
}): Effect.Effect<Targets, UsageError> => {
  const ids = body.ids ?? []
  const all = body.all === true
  if (all && ids.length > 0) return Effect.fail(new UsageError({ message: 'give "ids" or "all": true, not both' }))
  if (!all && ids.length === 0) {
    return Effect.fail(new UsageError({ message: 'give at least one agent id in "ids", or "all": true' }))
  }
  return Effect.succeed(all ? { _tag: "All" } : { _tag: "Ids", ids })
}

export const FleetLive = HttpApiBuilder.group(
  Api,
  "fleet",
  Effect.fn("FleetLive")(function* (handlers) {
    const control = invalidating(yield* Control, yield* ListCache)
    const spawner = yield* Spawner

    return handlers
      .handle("events", () => Effect.succeed(control.events))
      .handle("reload", () => control.reload)
      .handle(
        "build",
        Effect.fnUntraced(function* ({ query }) {
          const fleet = yield* loadFleet()
          const agents = yield* Effect.forEach(query.agent ?? [], (id) => requireAgent(fleet, id))
          const steps = yield* planBuild(fleet, agents)
          return runBuildSteps(steps).pipe(Stream.provideService(Spawner, spawner))
        })
      )
      .handle("start", ({ payload }) => Effect.flatMap(targetsOf(payload), control.start))
      .handle("stop", ({ payload }) => Effect.flatMap(targetsOf(payload), (t) => control.stop(t, payload.timeout)))
      .handle("restart", ({ payload }) =>
        Effect.flatMap(targetsOf(payload), (t) => control.restart(t, payload.timeout))
      )
      .handle("kill", ({ payload }) => Effect.flatMap(targetsOf(payload), control.kill))
  })
)
