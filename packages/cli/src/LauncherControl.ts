import { ApiClient } from "@agentctl/api/Client"
import { Control, type ControlError, type Targets } from "@agentctl/core/Control"
import { LauncherNotRunning } from "@agentctl/core/Errors"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

/**
 * Control through a running launcher: every action is one request over its unix socket, using
 * the client derived from the API contract. The launcher's live state answers `ls`.
 */

const payload = (targets: Targets) => (targets._tag === "All" ? { all: true } : { ids: targets.ids })

/** Typed API errors pass through as they are (same classes as core's); transport failures say where. */
const call = <A, E>(socket: string, effect: Effect.Effect<A, E>): Effect.Effect<A, ControlError> =>
  effect.pipe(
    Effect.catch((error: unknown) => {
      const tagged = error as { readonly _tag?: string; readonly message?: string }
      switch (tagged._tag) {
        case "AgentNotFound":
        case "ConfigInvalid":
        case "FileError":
        case "ProbeFailed":
        case "SignalDenied":
        case "UsageError":
          return Effect.fail(error as ControlError)
        default:
          return Effect.fail(
            new LauncherNotRunning({
              message: `the launcher did not answer on ${socket}: ${tagged.message ?? String(error)}`
            }) as unknown as ControlError
          )
      }
    })
  )

export const layer = (socket: string) =>
  Layer.effect(
    Control,
    Effect.gen(function* () {
      const api = yield* ApiClient
      return Control.of({
        supervisor: "launcher",
        list: call(socket, api.agents.list()),
        status: (id) => call(socket, api.agents.get({ params: { id } })),
        start: (targets) => call(socket, api.fleet.start({ payload: payload(targets) })),
        stop: (targets, timeoutMs) =>
          call(
            socket,
            api.fleet.stop({
              payload: { ...payload(targets), ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) }
            })
          ),
        restart: (targets, timeoutMs) =>
          call(
            socket,
            api.fleet.restart({
              payload: { ...payload(targets), ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) }
            })
          ),
        kill: (targets) => call(socket, api.fleet.kill({ payload: payload(targets) })),
        setEnabled: (id, enabled) =>
          call(socket, enabled ? api.agents.enable({ params: { id } }) : api.agents.disable({ params: { id } })),
        reload: call(socket, api.fleet.reload()),
        events: Stream.unwrap(call(socket, api.fleet.events())).pipe(Stream.orDie)
      })
    })
  ).pipe(Layer.provide(ApiClient.layerSocket(socket)))
