/**
 * Fleet-wide routes: the event stream, reload, the build, and
 * the bulk actions the CLI sends to a running launcher (one request, concurrent inside; "nothing
 * to do" is an outcome, not 409).
 */
import { planBuild, runBuildSteps } from "@agentctl/core/BuildOutput"
import { Control } from "@agentctl/core/Control"
import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import { ChildProcessSpawner } from "effect/process/ChildProcessSpawner"
import * as Stream from "effect/Stream"
import { ActionRunner, toCompletion } from "./ActionRunner.ts"
import { Api } from "./Api.ts"
import { invalidating, ListCache } from "./ListCache.ts"
import { targetsOf } from "./Targets.ts"

export const FleetLive = HttpApiBuilder.group(
  Api,
  "fleet",
  Effect.fn("FleetLive")(function* (handlers) {
    const control = toCompletion(invalidating(yield* Control, yield* ListCache), yield* ActionRunner)
    const spawner = yield* ChildProcessSpawner

    return handlers
      .handle("events", () => Effect.succeed(control.events))
      .handle("reload", () => control.reload)
      .handle(
        "build",
        Effect.fnUntraced(function* ({ query }) {
          const fleet = yield* loadFleet()
          const agents = yield* Effect.forEach(query.agent ?? [], (id) => requireAgent(fleet, id))
          const steps = yield* planBuild(fleet, agents)
          return runBuildSteps(steps).pipe(Stream.provideService(ChildProcessSpawner, spawner))
        })
      )
      .handle("start", ({ payload }) => control.start(targetsOf(payload)))
      .handle("stop", ({ payload }) => control.stop(targetsOf(payload), payload.timeout))
      .handle("restart", ({ payload }) => control.restart(targetsOf(payload), payload.timeout))
      .handle("kill", ({ payload }) => control.kill(targetsOf(payload)))
  })
)
