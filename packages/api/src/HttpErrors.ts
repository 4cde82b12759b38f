/**
 * Every failure becomes JSON with a `_tag` and a `message`: request decoding errors (400 naming
 * the field), a missing Host header (400), a path with malformed percent-encoding (400 naming the
 * parameter), unknown routes (404), oversized bodies (413), other statuses the platform answers
 * with an empty or text body, and defects (500, details logged, never sent). Oversized headers
 * never get this far: Server.ts answers them (431 HeaderTooLarge).
 */
import * as ByteSize from "effect/ByteSize"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { MaxBodySize } from "effect/http/HttpIncomingMessage"
import * as HttpRouter from "effect/http/HttpRouter"
import { isHttpServerError } from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import type { HttpApiSchemaError } from "effect/http-api/HttpApiError"
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import * as SchemaIssue from "effect/SchemaIssue"
import { IncomingMessage } from "node:http"
import { RequestErrors } from "./Api.ts"
import { BadRequest, InternalError, PayloadTooLarge, UnsupportedMediaType, type Where } from "./ApiErrors.ts"
import { malformedPath } from "./PathEncoding.ts"

/** Bodies are small JSON objects; anything bigger is refused before it is buffered. */
export const maxBodyBytes = 1024 * 1024

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s)

const whereOf: Record<HttpApiSchemaError["kind"], Where> = {
  Params: "path",
  Query: "query",
  Payload: "body",
  Headers: "header",
  Body: "body",
  ResponseHeaders: "header"
}

const label = (where: Where, path: ReadonlyArray<string>) => {
  const name = path.join(".")
  if (where === "body") return name === "" ? "body" : `body field "${name}"`
  if (where === "path") return `path parameter "${name}"`
  if (where === "query") return name === "" ? "query" : `query parameter "${name}"`
  return `header "${name}"`
}

/** A BadRequest for `issue`, found in `where` (under `name`, for a value decoded alone). */
export const badRequest = (where: Where, issue: SchemaIssue.Issue, name?: string): BadRequest => {
  const issues = formatIssues(issue).issues.map((i) => ({
    path: [
      ...(name === undefined ? [] : [name]),
      ...(i.path ?? []).map((segment) =>
        String(typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment)
      )
    ],
    message: clip(i.message)
  }))
  const message = issues.map((i) => `${label(where, i.path)}: ${i.message}`).join("; ") || `invalid ${where}`
  return new BadRequest({ message: clip(message, 1000), in: where, issues: issues.slice(0, 20) })
}

export const toBadRequest = (error: HttpApiSchemaError): BadRequest =>
  badRequest(whereOf[error.kind], error.cause.issue)

export const RequestErrorsLive = HttpApiMiddleware.layerSchemaErrorTransform(RequestErrors, (error) =>
  error.kind === "Body" || error.kind === "ResponseHeaders"
    ? Effect.andThen(
        Effect.logError("the API failed to encode its own response", error.cause),
        Effect.fail(new InternalError({ message: "the server failed to encode its response; see the launcher log" }))
      )
    : Effect.fail(toBadRequest(error))
)

const json = (status: number, body: Record<string, unknown>) => HttpServerResponse.jsonUnsafe(body, { status })

const badRequestResponse = (error: BadRequest) =>
  json(400, { _tag: error._tag, message: error.message, in: error.in, issues: error.issues })

/** One issue at `name` in `where`, as the schema errors read. */
const oneIssue = (where: Where, name: string, message: string) =>
  new BadRequest({ message: `${label(where, [name])}: ${message}`, in: where, issues: [{ path: [name], message }] })

const routeNotFound = (request: HttpServerRequest.HttpServerRequest) => {
  const path = clip(request.url.split("?")[0] ?? "", 200)
  const malformed = malformedPath(request.method, request.url.split("?")[0] ?? "")
  if (malformed !== null) {
    return badRequestResponse(
      malformed.param === undefined
        ? new BadRequest({ message: "the path has malformed percent-encoding", in: "path", issues: [] })
        : oneIssue("path", malformed.param, "malformed percent-encoding")
    )
  }
  return json(404, {
    _tag: "RouteNotFound",
    method: request.method,
    path,
    message: `no route ${request.method} ${path} (GET /openapi.json lists them)`
  })
}

const internal = () => json(500, { _tag: "InternalError", message: "internal error; see the launcher log" })

/** JSON bodies for the statuses the platform answers itself, with an empty or text body. */
const byStatus: Record<number, () => Record<string, unknown>> = {
  400: () => ({ _tag: "BadRequest", message: "the request could not be parsed", in: "body", issues: [] }),
  405: () => ({ _tag: "MethodNotAllowed", message: "method not allowed on this route" }),
  413: () => {
    const e = new PayloadTooLarge({ message: `the body is larger than ${maxBodyBytes} bytes` })
    return { _tag: e._tag, message: e.message }
  },
  415: () => {
    const e = new UnsupportedMediaType({ message: "send the body as application/json" })
    return { _tag: e._tag, message: e.message }
  },
  426: () => ({ _tag: "UpgradeRequired", message: "upgrade required" })
}

/** A platform response with an empty or text error body, rewritten as JSON. */
const ensureJson = (response: HttpServerResponse.HttpServerResponse) => {
  if (response.status < 400) return response
  const type = response.headers["content-type"] ?? ("contentType" in response.body ? response.body.contentType : "")
  if (typeof type === "string" && type.includes("json")) return response
  const body = byStatus[response.status]?.() ?? { _tag: "HttpError", message: `HTTP ${response.status}` }
  return json(response.status, body)
}

const fromCause = (cause: Cause.Cause<unknown>, request: HttpServerRequest.HttpServerRequest) => {
  if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
  for (const reason of cause.reasons) {
    const error = Cause.isFailReason(reason) ? reason.error : Cause.isDieReason(reason) ? reason.defect : undefined
    if (!isHttpServerError(error)) continue
    if (error.reason._tag === "RouteNotFound") return Effect.succeed(routeNotFound(request))
    if (error.reason._tag === "RequestParseError") {
      const status = error.reason.reason === "BodyTooLarge" ? 413 : 400
      return Effect.succeed(ensureJson(HttpServerResponse.empty({ status })))
    }
  }
  return Effect.as(Effect.logError("API request failed", cause), internal())
}

/** HTTP/1.1 requires Host (RFC 9112 §3.2); Node's own check answers an empty 400, so it is ours. */
const missingHost = (request: HttpServerRequest.HttpServerRequest): boolean =>
  request.source instanceof IncomingMessage &&
  request.source.httpVersionMajor === 1 &&
  request.source.httpVersionMinor >= 1 &&
  request.source.headers.host === undefined

const hostRequired = oneIssue("header", "host", "required by HTTP/1.1")

/** Global router middleware: applies to every route, the unknown ones included. */
export const jsonErrors = HttpRouter.middleware(
  (httpEffect) =>
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      (missingHost(request) ? Effect.succeed(badRequestResponse(hostRequired)) : httpEffect).pipe(
        Effect.catchCause((cause) => fromCause(cause, request)),
        Effect.map((response) =>
          response.status === 401
            ? HttpServerResponse.setHeader(ensureJson(response), "www-authenticate", 'Bearer realm="agentctl"')
            : ensureJson(response)
        ),
        Effect.provideService(MaxBodySize, ByteSize.bytes(maxBodyBytes))
      )
    ),
  { global: true }
)
