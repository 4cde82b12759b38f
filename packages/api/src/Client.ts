/**
 * The typed client, derived from the same `Api` the server implements: the CLI talks to a
 * running launcher through it (unix socket, no token) and any script can use it over TCP.
 *
 * ```ts
 * const rows = yield* ApiClient.use((api) => api.agents.list())
 * // ... .pipe(Effect.provide(ApiClient.layerSocket("/fleet/run/agentctl.sock")))
 * ```
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as Layer from "effect/Layer"
import { Api } from "./Api.ts"

/**
 * A client for `baseUrl` over whatever HttpClient is provided; with `token`, every request
 * carries it; `fresh`: every request asks for no cached answer (`Cache-Control: no-cache`: a
 * CLI shows the fleet as of now, an edit's drift included, not the listing shared this second).
 */
export const makeClient = (
  options: {
    readonly baseUrl?: string | undefined
    readonly token?: string | undefined
    readonly fresh?: boolean
  } = {}
) =>
  HttpApiClient.make(Api, {
    baseUrl: options.baseUrl,
    transformClient: HttpClient.mapRequest((request) => {
      const withToken = options.token === undefined ? request : HttpClientRequest.bearerToken(request, options.token)
      return options.fresh === true ? HttpClientRequest.setHeader(withToken, "cache-control", "no-cache") : withToken
    })
  })

export type Client = Effect.Success<ReturnType<typeof makeClient>>

export class ApiClient extends Context.Service<ApiClient, Client>()("@agentctl/api/ApiClient") {
  /** Over the launcher's unix socket; the socket's file mode is the auth, no token. */
  static readonly layerSocket = (socketPath: string): Layer.Layer<ApiClient> =>
    Layer.effect(ApiClient, makeClient({ baseUrl: "http://localhost", fresh: true })).pipe(
      Layer.provide(NodeHttpClient.layerNodeHttpOptions({ socketPath }))
    )

  /** Over TCP, e.g. `http://127.0.0.1:7717`, with the bearer token from run/api.token. */
  static readonly layerTcp = (options: { readonly url: string; readonly token: string }): Layer.Layer<ApiClient> =>
    Layer.effect(ApiClient, makeClient({ baseUrl: options.url, token: options.token })).pipe(
      Layer.provide(NodeHttpClient.layerNodeHttp)
    )
}
