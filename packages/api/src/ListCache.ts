/**
 * `GET /agents` as a read of a cached body: encoding 100 rows per request was most of the
 * endpoint's cost, and turning their JSON text into bytes most of what remained. The body is reused within one second (uptime is in whole seconds) until a
 * control request through this API changes something; a change the launcher makes on its own
 * (a crash, a restart) or an edit of the fleet's files (drift) shows within that second, or at
 * once to a request with `Cache-Control: no-cache`, as `agentctl ls` sends.
 */
import { Control } from "@agentctl/core/Control"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type { AgentListRow } from "./Responses.ts"
import { MessagesCache } from "./MessagesCache.ts"

export class ListCache extends Context.Service<
  ListCache,
  {
    /**
     * The listing (AgentListRow[]) as UTF-8 JSON, fresh for this second and state; `fresh`:
     * computed now (a client that asked for no cached answer), and then shared as the cache.
     */
    readonly body: (fresh: boolean) => Effect.Effect<Uint8Array, Effect.Error<Control["Service"]["list"]>>
    /** A control action changed something: the next listing is computed anew. */
    readonly invalidate: Effect.Effect<void>
  }
>()("@agentctl/api/ListCache") {
  static readonly layer: Layer.Layer<ListCache, never, Control | MessagesCache> = Layer.effect(
    ListCache,
    Effect.gen(function* () {
      const control = yield* Control
      const messages = yield* MessagesCache
      const scope = yield* Effect.scope
      type ListError = Effect.Error<Control["Service"]["list"]>
      let version = 0
      let cached: { readonly version: number; readonly second: number; readonly body: Uint8Array } | null = null
      let refreshing: {
        readonly version: number
        readonly second: number
        readonly fiber: Fiber.Fiber<Uint8Array, ListError>
      } | null = null
      const refresh = (at: number, second: number) =>
        Effect.gen(function* () {
          const listed = yield* control.list
          const counts = yield* messages.getAll(listed.flatMap((row) => (row.id === null ? [] : [row.id])))
          const rows: ReadonlyArray<AgentListRow> = listed.map((row) => ({
            ...row,
            messages_24h: row.id === null ? null : (counts.get(row.id) ?? null)
          }))
          // Every field of AgentListRow is JSON as it is (its encoded and decoded forms are the
          // same; ListCache.test checks this against the schema), so JSON.stringify is the encoding.
          // Kept as bytes: encoding 60 KB of text per response (100 agents) was most of what a
          // cached listing still cost.
          const body = Buffer.from(JSON.stringify(rows), "utf8")
          cached = { version: at, second, body }
          return body
        }).pipe(
          // A failed listing is not shared beyond the requests already waiting for it.
          Effect.onError(() => Effect.sync(() => void (refreshing = null)))
        )
      return ListCache.of({
        body: (fresh) =>
          Effect.gen(function* () {
            const second = Math.floor((yield* Clock.currentTimeMillis) / 1000)
            if (fresh) return yield* refresh(version, second)
            if (cached !== null && cached.version === version && cached.second === second) return cached.body
            // One listing per second and state, however many requests ask for it at once: at the
            // turn of each second under load, every connection used to compute its own. It runs in
            // the cache's scope, so a client that hangs up does not cancel it for the others.
            if (refreshing === null || refreshing.version !== version || refreshing.second !== second) {
              refreshing = { version, second, fiber: yield* Effect.forkIn(refresh(version, second), scope) }
            }
            return yield* Fiber.join(refreshing.fiber)
          }),
        invalidate: Effect.sync(() => void version++)
      })
    })
  )
}

/** Control whose actions drop the cached listing when they finish (whatever their outcome). */
export const invalidating = (control: Control["Service"], cache: ListCache["Service"]): Control["Service"] => {
  const after = <A, E>(effect: Effect.Effect<A, E>) => Effect.ensuring(effect, cache.invalidate)
  return Control.of({
    ...control,
    start: (targets) => after(control.start(targets)),
    stop: (targets, timeoutMs) => after(control.stop(targets, timeoutMs)),
    restart: (targets, timeoutMs) => after(control.restart(targets, timeoutMs)),
    kill: (targets) => after(control.kill(targets)),
    setEnabled: (id, enabled) => after(control.setEnabled(id, enabled)),
    reload: after(control.reload),
    apply: (options) => after(control.apply(options))
  })
}
