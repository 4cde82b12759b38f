/**
 * What every server-sent-event response gets, whatever route made it:
 *
 * - An SSE comment first and one every 15 s. The first makes Node send the headers at once (a
 *   client's `events()` returns before the first event, `curl -N` shows the connection is up);
 *   the keep-alive lets both ends notice a dead peer and keeps proxies from closing an idle
 *   stream. SSE parsers ignore comments.
 * - An end when its listener shuts down: the stream stops at a frame boundary and the body ends
 *   properly (the last chunk of a chunked body), and `Connection: close` lets the socket go with
 *   it, so closing the server waits for nobody. Without this, every open stream held a launcher
 *   stop for the platform's grace period and was then cut mid-body.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Latch from "effect/Latch"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

export const keepAliveInterval = "15 seconds"

/** How long shutdown waits for the streams to end; only a client that stopped reading takes longer. */
const endTimeout = "1 second"

const encoder = new TextEncoder()
const comment = (text: string) => encoder.encode(`: ${text}\n\n`)

/** One listener's open SSE streams, and the signal that ends them. */
export class SseStreams extends Context.Service<
  SseStreams,
  {
    /** `stream` until it ends or the listener shuts down, counted while it runs. */
    readonly untilShutdown: <E, R>(stream: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<Uint8Array, E, R>
    /** End every open stream and wait (a moment at most) until they have ended. */
    readonly endAll: Effect.Effect<void>
  }
>()("@agentctl/api/SseStreams") {
  static readonly make = Effect.sync(() => {
    const shuttingDown = Latch.makeUnsafe(false)
    // Open while no stream runs.
    const idle = Latch.makeUnsafe(true)
    let open = 0
    return SseStreams.of({
      untilShutdown: (stream) =>
        Stream.suspend(() => {
          if (open++ === 0) idle.closeUnsafe()
          return stream.pipe(
            Stream.interruptWhen(shuttingDown.await),
            Stream.ensuring(Effect.sync(() => void (--open === 0 && idle.openUnsafe())))
          )
        }),
      endAll: shuttingDown.open.pipe(
        Effect.andThen(Effect.timeoutOrElse(idle.await, { duration: endTimeout, orElse: () => Effect.void }))
      )
    })
  })

  /**
   * `server` (and whatever else its layer provides) whose shutdown ends the SSE streams first.
   * The finalizer is added after the platform's own (which stops accepting and waits for open
   * responses), so it runs before it.
   */
  static readonly around = <A, E, R>(
    server: Layer.Layer<A | HttpServer.HttpServer, E, R>
  ): Layer.Layer<A | HttpServer.HttpServer | SseStreams, E, R> =>
    Layer.provideMerge(
      Layer.effectContext(
        Effect.gen(function* () {
          const inner = yield* HttpServer.HttpServer
          const streams = yield* SseStreams.make
          const wrapped = HttpServer.make({
            address: inner.address,
            serve: (httpEffect, middleware) =>
              Effect.andThen(
                middleware === undefined ? inner.serve(httpEffect) : inner.serve(httpEffect, middleware),
                Effect.addFinalizer(() => streams.endAll)
              )
          })
          return Context.make(HttpServer.HttpServer, wrapped).pipe(Context.add(SseStreams, streams))
        })
      ),
      server
    )
}

const forSse = (streams: SseStreams["Service"]) => (response: HttpServerResponse.HttpServerResponse) => {
  const body = response.body
  if (body._tag !== "Stream" || !body.contentType.startsWith("text/event-stream")) return response
  const keepAlive = Stream.tick(keepAliveInterval).pipe(
    Stream.drop(1),
    Stream.map(() => comment("keep-alive"))
  )
  const stream = Stream.succeed(comment("connected")).pipe(
    Stream.concat(Stream.merge(body.stream, keepAlive, { haltStrategy: "left" }))
  )
  return HttpServerResponse.setBody(
    HttpServerResponse.setHeaders(response, { "cache-control": "no-cache", connection: "close" }),
    HttpBody.stream(streams.untilShutdown(stream), body.contentType)
  )
}

export const sseResponses = HttpRouter.middleware(
  Effect.map(Effect.service(SseStreams), (streams) => (httpEffect) => Effect.map(httpEffect, forSse(streams))),
  { global: true }
)
