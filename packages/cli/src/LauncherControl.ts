import { ApiClient } from "@agentctl/api/Client"
import { Control, type ControlError, type Targets } from "@agentctl/core/Control"
import type {
  BadRequest,
  HeaderTooLarge,
  InternalError,
  PayloadTooLarge,
  Unauthorized,
  UnsupportedMediaType
} from "@agentctl/api/ApiErrors"
import { LauncherUnreachable, UsageError } from "@agentctl/core/Errors"
import { errorCode } from "@agentctl/shell/errno"
import { readLauncherSync } from "@agentctl/shell/launcherRecord"
import * as Effect from "effect/Effect"
import * as HttpClientError from "effect/http/HttpClientError"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { launcherPaths } from "./launcher/paths.ts"

/**
 * Control through a running launcher: every action is one request over its unix socket, using
 * the client derived from the API contract. The launcher's live state answers `ls`.
 */

const payload = (targets: Targets) => (targets._tag === "All" ? { all: true } : { ids: targets.ids })

/** Everything a request through the typed client can fail with. */
type ClientError =
  | ControlError
  | BadRequest
  | PayloadTooLarge
  | UnsupportedMediaType
  | HeaderTooLarge
  | InternalError
  | Unauthorized
  | HttpClientError.HttpClientError
  | Schema.SchemaError

/** The request never reached a server: the socket is not there yet, or nobody listens on it. */
const notListening = (error: HttpClientError.HttpClientError): boolean =>
  error.reason._tag === "TransportError" && ["ENOENT", "ECONNREFUSED"].includes(errorCode(error.reason.cause) ?? "")

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** How long a command waits for a registered launcher that is still booting to open its socket. */
export const startingWaitMs = 60_000

/**
 * What a failed request means for the command, as one explicit mapping: core's errors pass
 * through as they are (the same classes on both ends), a request the launcher refused is a
 * usage error (the CLI validates its input first, so it is the same answer as daemonless), a
 * transport failure is LauncherUnreachable (or "try again" while the launcher boots), and an
 * answer the CLI cannot use is a defect: a launcher bug (InternalError is how the API reports
 * its defects), or a launcher of another version.
 */
const toControlError = (
  error: ClientError,
  socket: string,
  launcherPid: number | null,
  mayRetry: boolean
): Effect.Effect<never, ControlError> | "retry" => {
  switch (error._tag) {
    case "AgentNotFound":
    case "ConfigInvalid":
    case "FileError":
    case "ProbeFailed":
    case "SignalDenied":
    case "UsageError":
    case "FleetLocked":
    case "LauncherActive":
    case "LauncherUnreachable":
      return Effect.fail(error)
    case "BadRequest":
    case "PayloadTooLarge":
    case "UnsupportedMediaType":
    case "HeaderTooLarge":
      return Effect.fail(new UsageError({ message: `the launcher refused the request: ${error.message}` }))
    case "HttpClientError":
      if (error.reason._tag === "TransportError") {
        return notListening(error) && launcherPid !== null && mayRetry
          ? "retry"
          : Effect.fail(LauncherUnreachable.at(socket, launcherPid, describe(error)))
      }
      return Effect.die(new Error(`the launcher answered what this agentctl cannot read: ${describe(error)}`))
    case "InternalError":
    case "Unauthorized":
    case "SchemaError":
      return Effect.die(new Error(`the launcher failed the request (${error._tag}): ${error.message}`))
  }
}

/**
 * One request. A launcher registers before it boots and opens its socket after: while it is
 * alive and the socket does not answer yet, the request is sent again (up to startingWaitMs).
 */
const call = <A>(root: string, effect: Effect.Effect<A, ClientError>): Effect.Effect<A, ControlError> => {
  const { socket, runDir } = launcherPaths(root)
  return Effect.gen(function* () {
    const deadline = Date.now() + startingWaitMs
    for (;;) {
      const result = yield* Effect.result(effect)
      if (result._tag === "Success") return result.success
      const pid = readLauncherSync(runDir)?.pid ?? null
      const mapped = toControlError(result.failure, socket, pid, Date.now() < deadline)
      if (mapped !== "retry") return yield* mapped
      yield* Effect.sleep(100)
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
        history: (id) => call(root, api.agents.history({ params: { id } })),
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
        apply: (options) => call(root, api.fleet.apply({ payload: options })),
        events: Stream.unwrap(call(root, api.fleet.events())).pipe(Stream.orDie)
      })
    })
  ).pipe(Layer.provide(ApiClient.layerSocket(launcherPaths(root).socket)))
