import { ApiClient } from "@agentctl/api/Client"
import { Control, type ControlError, type Targets } from "@agentctl/core/Control"
import { LauncherUnreachable } from "@agentctl/core/Errors"
import { errorCode } from "@agentctl/shell/errno"
import { readLauncherSync } from "@agentctl/shell/launcherRecord"
import * as Effect from "effect/Effect"
import * as HttpClientError from "effect/http/HttpClientError"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { launcherPaths } from "./launcher/paths.ts"

/**
 * Control through a running launcher: every action is one request over its unix socket, using
 * the client derived from the API contract. The launcher's live state answers `ls`.
 */

const payload = (targets: Targets) => (targets._tag === "All" ? { all: true } : { ids: targets.ids })

const controlTags: ReadonlySet<string> = new Set<ControlError["_tag"]>([
  "AgentNotFound",
  "ConfigInvalid",
  "FileError",
  "ProbeFailed",
  "SignalDenied",
  "UsageError",
  "FleetLocked",
  "LauncherActive",
  "LauncherUnreachable"
])

const isControlError = (error: unknown): error is ControlError =>
  typeof error === "object" && error !== null && "_tag" in error && controlTags.has(String(error._tag))

/** The request never reached a server: the socket is not there yet, or nobody listens on it. */
const notListening = (error: unknown): boolean =>
  HttpClientError.isHttpClientError(error) &&
  error.reason._tag === "TransportError" &&
  ["ENOENT", "ECONNREFUSED"].includes(errorCode(error.reason.cause) ?? "")

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** How long a command waits for a registered launcher that is still booting to open its socket. */
export const startingWaitMs = 60_000

/**
 * One request. Typed API errors pass through as they are (the same classes as core's). A launcher
 * registers before it boots and opens its socket after: while it is alive and the socket does not
 * answer yet, the request is sent again; anything else is LauncherUnreachable, saying what failed.
 */
const call = <A, E>(root: string, effect: Effect.Effect<A, E>): Effect.Effect<A, ControlError> => {
  const { socket, runDir } = launcherPaths(root)
  return Effect.gen(function* () {
    const deadline = Date.now() + startingWaitMs
    for (;;) {
      const result = yield* Effect.result(effect)
      if (result._tag === "Success") return result.success
      const error = result.failure
      if (isControlError(error)) return yield* Effect.fail(error)
      const launcher = readLauncherSync(runDir)
      if (notListening(error) && launcher !== null && Date.now() < deadline) {
        yield* Effect.sleep(100)
        continue
      }
      return yield* LauncherUnreachable.at(socket, launcher?.pid ?? null, describe(error))
    }
  })
}

export const layer = (root: string) =>
  Layer.effect(
    Control,
    Effect.gen(function* () {
      const api = yield* ApiClient
      return Control.of({
        supervisor: "launcher",
        list: call(root, api.agents.list()),
        status: (id) => call(root, api.agents.get({ params: { id } })),
        start: (targets) => call(root, api.fleet.start({ payload: payload(targets) })),
        stop: (targets, timeoutMs) =>
          call(
            root,
            api.fleet.stop({
              payload: { ...payload(targets), ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) }
            })
          ),
        restart: (targets, timeoutMs) =>
          call(
            root,
            api.fleet.restart({
              payload: { ...payload(targets), ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) }
            })
          ),
        kill: (targets) => call(root, api.fleet.kill({ payload: payload(targets) })),
        setEnabled: (id, enabled) =>
          call(root, enabled ? api.agents.enable({ params: { id } }) : api.agents.disable({ params: { id } })),
        reload: call(root, api.fleet.reload()),
        events: Stream.unwrap(call(root, api.fleet.events())).pipe(Stream.orDie)
      })
    })
  ).pipe(Layer.provide(ApiClient.layerSocket(launcherPaths(root).socket)))
