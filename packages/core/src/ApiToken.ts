import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { FileError } from "./Errors.ts"

/**
 * The API's bearer token, kept in a file (`run/api.token`, mode 0600): created on first use and
 * replaced atomically on rotation, so a reader sees the old token or the new one, never half.
 * The file I/O is the shell's (NodeApiToken.ts); the API only asks for the token and compares.
 */
export class ApiToken extends Context.Service<
  ApiToken,
  {
    readonly file: string
    /**
     * The token now, read again whenever the file changed (a rotation takes effect at once, no
     * restart); null when there is none or it cannot be read: every request is refused then.
     */
    readonly current: Effect.Effect<string | null>
    /** The existing token (its mode tightened to 0600 if someone loosened it), or a new one. */
    readonly ensure: Effect.Effect<string, FileError>
    /** A new token replaces the old one; clients holding the old one get 401 from their next request. */
    readonly rotate: Effect.Effect<string, FileError>
  }
>()("@agentctl/core/ApiToken") {}

/**
 * Constant-time: every character of the expected token is compared, whichever differs first,
 * so the time taken tells an attacker nothing about how much of a guess was right.
 */
export const tokenMatches = (expected: string, given: string): boolean => {
  let diff = expected.length ^ given.length
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (given.charCodeAt(i) | 0)
  return diff === 0
}
