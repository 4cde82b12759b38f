/**
 * messages_24h for `GET /agents`, per agent, cached 30 s: a fleet listing must not open every
 * agent's SQLite file on every request. Expiry runs on Clock, so a TestClock drives it. A
 * listing asks for the whole fleet at once: agents with nothing under `data/` (most of them)
 * are known from one directory read, without a lookup of their own. At 100 agents, 100 lookups
 * were the megabyte of garbage that the first listing after a boot left in the launcher.
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
    /** `get` of each id; the ids with no data folder answered null at once. */
    readonly getAll: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, number | null>>
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
      const get = (id: string) => Cache.get(cache, id)
      const withData = data.withData.pipe(
        Effect.catch((error) => Effect.as(Effect.logWarning(`messages_24h: ${error.message}`), new Set<string>()))
      )
      return MessagesCache.of({
        get,
        getAll: (ids) =>
          Effect.gen(function* () {
            const present = yield* withData
            const counts = new Map<string, number | null>(ids.map((id) => [id, null]))
            yield* Effect.forEach(
              ids.filter((id) => present.has(id)),
              (id) => Effect.map(get(id), (n) => void counts.set(id, n)),
              { concurrency: 16, discard: true }
            )
            return counts
          }),
        invalidate: (id) => Cache.invalidate(cache, id)
      })
    })
  )
}
