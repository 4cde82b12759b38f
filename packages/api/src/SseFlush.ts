/**
 * Server-sent event responses start with an SSE comment and carry one every 15 s. The comment
 * makes Node send the headers at once (a client's `events()` returns before the first event,
 * `curl -N` shows the connection is up), and the keep-alive lets both ends notice a dead peer
 * and keeps proxies from closing an idle stream. SSE parsers ignore comments.
 */
import * as Effect from "effect/Effect"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Stream from "effect/Stream"

export const keepAliveInterval = "15 seconds"

const encoder = new TextEncoder()
const comment = (text: string) => encoder.encode(`: ${text}\n\n`)

const withComments = (response: HttpServerResponse.HttpServerResponse) => {
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
    HttpServerResponse.setHeader(response, "cache-control", "no-cache"),
    HttpBody.stream(stream, body.contentType)
  )
}

export const sseFlush = HttpRouter.middleware((httpEffect) => Effect.map(httpEffect, withComments), { global: true })
