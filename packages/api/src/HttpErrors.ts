/**
 * Every failure becomes JSON with a `_tag` and a `message`: request decoding errors (400 naming
 * the field), unknown routes (404), oversized bodies (413), other statuses the platform answers
 * with an empty or text body, and defects (500, details logged, never sent).
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
import { RequestErrors } from "./Api.ts"
import { BadRequest, InternalError, type Where } from "./ApiErrors.ts"

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

const routeNotFound = (request: HttpServerRequest.HttpServerRequest) => {
  const path = clip(request.url.split("?")[0] ?? "", 200)
  return json(404, {
    _tag: "RouteNotFound",
    method: request.method,
    path,
    message: `no route ${request.method} ${path} (GET /openapi.json lists them)`
  })
}

const internal = () => json(500, { _tag: "InternalError", message: "internal error; see the launcher log" })

const byStatus: Record<number, readonly [string, string]> = {
  400: ["BadRequest", "the request could not be parsed"],
  405: ["MethodNotAllowed", "method not allowed on this route"],
  413: ["PayloadTooLarge", `the body is larger than ${maxBodyBytes} bytes`],
  415: ["UnsupportedMediaType", "send the body as application/json"],
  426: ["UpgradeRequired", "upgrade required"]
}

/** A platform response with an empty or text error body, rewritten as JSON. */
const ensureJson = (response: HttpServerResponse.HttpServerResponse) => {
  if (response.status < 400) return response
  const type = response.headers["content-type"] ?? ("contentType" in response.body ? response.body.contentType : "")
  if (typeof type === "string" && type.includes("json")) return response
  const [tag, message] = byStatus[response.status] ?? ["HttpError", `HTTP ${response.status}`]
  const body = tag === "BadRequest" ? { _tag: tag, message, in: "body", issues: [] } : { _tag: tag, message }
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

/** Global router middleware: applies to every route, the unknown ones included. */
export const jsonErrors = HttpRouter.middleware(
  (httpEffect) =>
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      httpEffect.pipe(
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
