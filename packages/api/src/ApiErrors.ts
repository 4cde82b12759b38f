/**
 * The API's own failures, beside core's (AgentNotFound 404, AlreadyRunning/NotRunning 409, ...).
 * Every response that is not a success is JSON with a stable `_tag` and a `message` sentence.
 */
import { StopOutcome } from "@agentctl/core/Outcomes"
import * as Schema from "effect/Schema"

export const Where = Schema.Literals(["path", "query", "body", "header"])
export type Where = typeof Where.Type

/** The request itself is malformed: a bad id, query value or body; `message` names the field. */
export class BadRequest extends Schema.TaggedError<BadRequest>()(
  "BadRequest",
  {
    message: Schema.String,
    in: Where,
    issues: Schema.Array(Schema.Struct({ path: Schema.Array(Schema.String), message: Schema.String }))
  },
  { httpApiStatus: 400 }
) {}

/** Missing or wrong `Authorization: Bearer <token>` on the TCP listener. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { message: Schema.String },
  { httpApiStatus: 401 }
) {}

/** The body is over the size limit (1 MiB); it is refused before it is read. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { message: Schema.String },
  { httpApiStatus: 413 }
) {}

/** A body that is not `application/json`. */
export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()(
  "UnsupportedMediaType",
  { message: Schema.String },
  { httpApiStatus: 415 }
) {}

/** The request's headers are over Node's limit (16 KiB); answered before any route sees it. */
export class HeaderTooLarge extends Schema.TaggedError<HeaderTooLarge>()(
  "HeaderTooLarge",
  { message: Schema.String },
  { httpApiStatus: 431 }
) {}

/** No such route (or no such method on it). */
export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()(
  "RouteNotFound",
  { method: Schema.String, path: Schema.String, message: Schema.String },
  { httpApiStatus: 404 }
) {}

/**
 * The agent exists but did not start: its command was not found, its cwd is not a directory, it
 * exited at once. The agent's state, not a server fault: 409, like AlreadyRunning.
 */
export class StartFailed extends Schema.TaggedError<StartFailed>()(
  "StartFailed",
  {
    id: Schema.String,
    /** Why, as the start reported it (e.g. `command "x" not found`, `exited with code 1`). */
    reason: Schema.String,
    /** For restart: the stop that came first (the agent is now stopped); null for start. */
    stopped: Schema.NullOr(StopOutcome),
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {}

/** A bug on our side; the details are in the launcher's log, never in the response. */
export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  { message: Schema.String },
  { httpApiStatus: 500 }
) {}
