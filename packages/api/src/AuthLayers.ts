/**
 * The two implementations of the contract's `Auth` middleware: one per listener. The unix socket
 * is guarded by its file mode (0600), so it lets every request through; TCP needs the bearer token.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { statSync } from "node:fs"
import { Auth } from "./Api.ts"
import { Unauthorized } from "./ApiErrors.ts"
import { readToken, tokenMatches } from "./Token.ts"

export const authOpen: Layer.Layer<Auth> = Layer.succeed(Auth, Auth.of({ bearer: (httpEffect) => httpEffect }))

const missing = new Unauthorized({
  message:
    "missing token: send `Authorization: Bearer <token>` (the token is in run/api.token; `agentctl api` prints it)"
})
const wrong = new Unauthorized({
  message: "invalid token (it may have been rotated; `agentctl api` prints the current one)"
})
const unavailable = new Unauthorized({ message: "the server has no API token configured; every request is refused" })

/**
 * The token file is re-read when it changes (one stat per request), so `agentctl api --rotate`
 * takes effect at once without restarting the launcher. The stat is synchronous: a stat of a
 * small file in the page cache takes microseconds, where a stat through libuv's thread pool (two
 * threads in the launcher) queued behind every other request's under load.
 */
const fileKey = (file: string): string | null => {
  try {
    const info = statSync(file, { throwIfNoEntry: false })
    return info === undefined ? "missing" : `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`
  } catch {
    // Not absent, but not readable either (EACCES on run/, say): nothing is cached, and the
    // read below fails too.
    return null
  }
}

const tokenSource = (file: string) =>
  Effect.map(Ref.make<{ readonly key: string; readonly token: string | null } | null>(null), (cache) =>
    Effect.gen(function* () {
      const key = fileKey(file)
      const cached = yield* Ref.get(cache)
      if (cached !== null && cached.key === key) return cached.token
      // A token that cannot be read refuses every request: the API fails closed.
      const token = key === "missing" ? null : yield* readToken(file).pipe(Effect.orElseSucceed(() => null))
      if (key !== null) yield* Ref.set(cache, { key, token })
      return token
    })
  )

export const authToken = (tokenFile: string): Layer.Layer<Auth> =>
  Layer.effect(
    Auth,
    Effect.map(tokenSource(tokenFile), (current) =>
      Auth.of({
        bearer: (httpEffect, { credential }) =>
          current.pipe(
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
  )
