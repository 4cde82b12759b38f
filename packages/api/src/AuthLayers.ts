/**
 * The two implementations of the contract's `Auth` middleware: one per listener. The unix socket
 * is guarded by its file mode (0600), so it lets every request through; TCP needs the bearer token.
 */
import { type ApiToken, tokenMatches } from "@agentctl/core/ApiToken"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Auth } from "./Api.ts"
import { Unauthorized } from "./ApiErrors.ts"

export const authOpen: Layer.Layer<Auth> = Layer.succeed(Auth, Auth.of({ bearer: (httpEffect) => httpEffect }))

const missing = new Unauthorized({
  message:
    "missing token: send `Authorization: Bearer <token>` (the token is in run/api.token; `agentctl api` prints it)"
})
const wrong = new Unauthorized({
  message: "invalid token (it may have been rotated; `agentctl api` prints the current one)"
})
const unavailable = new Unauthorized({ message: "the server has no API token configured; every request is refused" })

/** The bearer token against `tokens`' current one (re-read when its file changes: rotation works at once). */
export const authToken = (tokens: ApiToken["Service"]): Layer.Layer<Auth> =>
  Layer.succeed(
    Auth,
    Auth.of({
      bearer: (httpEffect, { credential }) =>
        tokens.current.pipe(
          Effect.flatMap((token) => {
            const given = Redacted.value(credential)
            if (token === null) return Effect.fail(unavailable)
            if (given === "") return Effect.fail(missing)
            return tokenMatches(token, given) ? Effect.void : Effect.fail(wrong)
          }),
          Effect.andThen(httpEffect)
        )
    })
  )
