/**
 * messages_24h for `GET /agents`, per agent, cached 30 s: a fleet listing must not open every
 * agent's SQLite file on every request. Expiry runs on Clock, so a TestClock drives it.
 */
import { AgentData } from "@agentctl/core/AgentData"
import * as Cache from "effect/Cache"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export const ttl = "30 seconds"

export class MessagesCache extends Context.Service<
  MessagesCache,
  {
    /** null: no memory.db, or it could not be read (logged; the listing still answers). */
    readonly get: (id: string) => Effect.Effect<number | null>
    /** After clear_memory: the next listing counts again. */
    readonly invalidate: (id: string) => Effect.Effect<void>
  }
>()("@agentctl/api/MessagesCache") {
  static readonly layer: Layer.Layer<MessagesCache, never, AgentData> = Layer.effect(
    MessagesCache,
    Effect.gen(function* () {
      const data = yield* AgentData
      const cache = yield* Cache.make({
        capacity: 10_000,
        timeToLive: ttl,
        lookup: (id: string) =>
          Clock.currentTimeMillis.pipe(
            Effect.flatMap((now) => data.messages24h(id, now)),
            Effect.catch((error) => Effect.as(Effect.logWarning(`messages_24h of ${id}: ${error.message}`), null))
          )
      })
      return MessagesCache.of({
        get: (id) => Cache.get(cache, id),
        invalidate: (id) => Cache.invalidate(cache, id)
      })
    })
  )
}
