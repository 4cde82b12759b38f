/**
 * Serving the API: one contract, two listeners. The unix socket (mode 0600, no token) and TCP
 * (bearer token, 127.0.0.1:7717 by default) each get their own router built from the same
 * groups with their own `Auth`; the state behind them (messages cache, server info, Control)
 * is built once and shared.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { ApiToken } from "@agentctl/core/ApiToken"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import { ServeError } from "effect/http/HttpServerError"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as Layer from "effect/Layer"
import { chmod, lstat, unlink } from "node:fs/promises"
import { createServer, IncomingMessage, maxHeaderSize } from "node:http"
import { connect } from "node:net"
import { ActionRunner } from "./ActionRunner.ts"
import { AgentsLive } from "./AgentsHandlers.ts"
import { Api, type Auth } from "./Api.ts"
import { BadRequest, HeaderTooLarge } from "./ApiErrors.ts"
import { authOpen, authToken } from "./AuthLayers.ts"
import { docsRoute } from "./Docs.ts"
import { EventBuffer } from "./EventBuffer.ts"
import { FleetLive } from "./FleetHandlers.ts"
import { jsonErrors, RequestErrorsLive } from "./HttpErrors.ts"
import { ListCache } from "./ListCache.ts"
import { MessagesCache } from "./MessagesCache.ts"
import { DatedResponse } from "./HttpDate.ts"
import { ServerInfo } from "./ServerInfo.ts"
import { SseStreams, sseResponses } from "./SseResponses.ts"
import { SystemLive } from "./SystemHandlers.ts"

export const defaultHost = "127.0.0.1"
export const defaultPort = 7717

/**
 * How long shutdown waits for in-flight requests once the server-sent-event streams have ended
 * (SseResponses.ts). A control action a request started carries on regardless (ActionRunner.ts).
 */
const gracefulShutdownTimeout = "2 seconds"

/**
 * Every route of the contract plus /openapi.json, /docs and the JSON error fallback, with the
 * given Auth. Built fresh per call, so two listeners never share a router or an Auth.
 */
export const routes = (auth: Layer.Layer<Auth>) =>
  Layer.mergeAll(
    HttpApiBuilder.layer(Api, { openapiPath: "/openapi.json" }).pipe(
      Layer.provide(Layer.fresh(Layer.mergeAll(SystemLive, AgentsLive, FleetLive))),
      Layer.provide([auth, RequestErrorsLive])
    ),
    docsRoute,
    jsonErrors,
    sseResponses
  )

export const serveOptions = {
  disableLogger: true,
  // The launcher's log is JSON lines; it announces its listeners itself.
  disableListenLog: true,
  // Long or odd ids must reach the AgentId check (400), not fall off the router as "no route".
  routerConfig: { maxParamLength: 2048 }
} as const

/** The routes with `auth`, served on `server`; its server-sent-event streams end first when it closes. */
export const serveOn = <E, R>(auth: Layer.Layer<Auth>, server: Layer.Layer<HttpServer.HttpServer, E, R>) =>
  HttpRouter.serve(routes(auth), serveOptions).pipe(Layer.provide(SseStreams.around(server)))

const serveError = (message: string) => new ServeError({ cause: new Error(message) })

const malformed = (() => {
  const e = new BadRequest({ message: "malformed HTTP request", in: "header", issues: [] })
  return JSON.stringify({ _tag: e._tag, message: e.message, in: e.in, issues: e.issues })
})()
const tooLarge = (() => {
  const e = new HeaderTooLarge({ message: `the request's headers are larger than ${maxHeaderSize} bytes` })
  return JSON.stringify({ _tag: e._tag, message: e.message })
})()

/**
 * A node:http server whose answer to bytes that are not HTTP at all (a bad request line, headers
 * over the limit) is JSON too, instead of node's bare 400. A missing Host is let through, to be
 * answered as JSON by the routes' error handler (HttpErrors.ts). Its Date header: HttpDate.ts.
 */
export const createApiServer = () =>
  createServer({ requireHostHeader: false, IncomingMessage, ServerResponse: DatedResponse }).on(
    "clientError",
    (error: NodeJS.ErrnoException, socket) => {
      if (error.code === "ECONNRESET" || !socket.writable) return socket.destroy()
      const [status, body] =
        error.code === "HPE_HEADER_OVERFLOW"
          ? ["431 Request Header Fields Too Large", tooLarge]
          : ["400 Bad Request", malformed]
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
      )
    }
  )

/** A socket file left by a launcher that died is removed; one that still answers is someone else's. */
const clearStaleSocket = (path: string) =>
  Effect.gen(function* () {
    const info = yield* Effect.tryPromise(() => lstat(path)).pipe(Effect.orElseSucceed(() => null))
    if (info === null) return
    if (!info.isSocket()) return yield* serveError(`refusing to replace ${path}: it exists and is not a socket`)
    const alive = yield* Effect.callback<boolean>((resume) => {
      const socket = connect({ path })
      socket.once("connect", () => {
        socket.destroy()
        resume(Effect.succeed(true))
      })
      socket.once("error", () => resume(Effect.succeed(false)))
    })
    if (alive) return yield* serveError(`another process is serving on ${path}`)
    yield* Effect.tryPromise({ try: () => unlink(path), catch: (cause) => new ServeError({ cause }) })
  })

/** An HTTP server on a unix socket, chmod 0600 as soon as it listens: file permissions are its auth. */
export const unixServer = (path: string): Layer.Layer<HttpServer.HttpServer, ServeError> =>
  Layer.effect(
    HttpServer.HttpServer,
    Effect.gen(function* () {
      yield* clearStaleSocket(path)
      const server = yield* NodeHttpServer.make(createApiServer, { path, gracefulShutdownTimeout })
      yield* Effect.tryPromise({ try: () => chmod(path, 0o600), catch: (cause) => new ServeError({ cause }) })
      return HttpServer.make(server)
    })
  )

export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host) || host === "::ffff:127.0.0.1"

/** An HTTP server on TCP; anything but a loopback host is reachable from the network, so say so. */
export const tcpServer = (host: string, port: number): Layer.Layer<HttpServer.HttpServer, ServeError> =>
  Layer.effect(
    HttpServer.HttpServer,
    Effect.gen(function* () {
      if (!isLoopback(host)) {
        yield* Effect.logWarning(
          `the API listens on ${host}:${port}, reachable beyond this machine; every request needs the bearer token, but the traffic is not encrypted`
        )
      }
      return HttpServer.make(yield* NodeHttpServer.make(createApiServer, { host, port, gracefulShutdownTimeout }))
    })
  )

/**
 * What every listener shares, built once: server info, the messages_24h cache, the listing cache,
 * the fibers of control actions that outlive their requests, and the last events for /events.
 */
export const sharedState = (version: string) =>
  ListCache.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(ServerInfo.layer(version), MessagesCache.layer, ActionRunner.layer, EventBuffer.layer())
    )
  )

export interface Options {
  readonly version: string
  /** The unix socket (e.g. run/launcher.sock); omitted: no socket listener. */
  readonly socketPath?: string | undefined
  /** TCP with `token`'s bearer token (its file created 0600 when missing); omitted: no TCP listener. */
  readonly tcp?:
    | {
        readonly host?: string | undefined
        readonly port?: number | undefined
        readonly token: ApiToken["Service"]
      }
    | undefined
}

/**
 * The requested listeners alone: they need `sharedState` and the HTTP platform services
 * (`NodeHttpServer.layerHttpServices`) from context, so that listeners started apart (the
 * launcher opens its TCP listener and its socket separately) still share one state: one event
 * buffer for /events, one listing cache, one set of running actions. The routes need Control,
 * AgentData, Fleet, ConfigSource, Prober, RunDir and Spawner (the build runs through it).
 */
export const listeners = (options: Omit<Options, "version">) => {
  const { socketPath, tcp } = options
  const unix = socketPath === undefined ? Layer.empty : serveOn(authOpen, unixServer(socketPath))
  const network =
    tcp === undefined
      ? Layer.empty
      : serveOn(authToken(tcp.token), tcpServer(tcp.host ?? defaultHost, tcp.port ?? defaultPort)).pipe(
          Layer.provide(Layer.effectDiscard(tcp.token.ensure))
        )
  return Layer.mergeAll(unix, network)
}

/**
 * The API on the requested listeners, with a state of their own. Needs from context: Control,
 * AgentData, Fleet, ConfigSource, Prober, RunDir (core services); HTTP platform services,
 * FileSystem, Path and ChildProcessSpawner come from `NodeHttpServer.layerHttpServices`,
 * provided here.
 */
export const layer = (options: Options) =>
  listeners(options).pipe(Layer.provide(sharedState(options.version)), Layer.provide(NodeHttpServer.layerHttpServices))
