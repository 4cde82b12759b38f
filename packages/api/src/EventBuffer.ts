/**
 * The last events of Control.events, kept so /events can be resumed. The buffer subscribes when
 * the API's shared state is built and every /events stream reads from it: live events as they
 * come and, given the seq of the last event a client saw (`Last-Event-ID`), the buffered ones
 * after it first, with no gap and no repeat between the two. When the buffer no longer reaches
 * back that far, or a reader falls more than the buffer's length behind, the next event sent
 * says how many were lost (`missed`).
 */
import type { AgentEvent } from "@agentctl/core/AgentEvent"
import { Control } from "@agentctl/core/Control"
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { StreamedEvent } from "./Frames.ts"

export const defaultCapacity = 1000

/** Where a stream starts: at a moment (`pushed`: events received before it), or after a seq a client saw. */
export type From = { readonly _tag: "Now"; readonly pushed: number } | { readonly _tag: "After"; readonly seq: number }

/** A received event and its position among every event received (0, 1, ...). */
export interface Entry {
  readonly index: number
  readonly event: AgentEvent
}

interface State {
  /** The index of the last entry sent (or, before any, of the one just before the start). */
  readonly last: number
  /** Nothing was sent yet. */
  readonly first: boolean
  /** After a seq from another run: send everything. */
  readonly all: boolean
}

const withMissed = (event: AgentEvent, missed: number | null): StreamedEvent =>
  missed === 0 ? event : { ...event, missed }

/**
 * What a stream sends: the copied buffer (`snapshot`, oldest first), then the live entries not
 * in the copy, from `from` on. `newest` is the highest seq the buffer ever received, when the
 * copy was taken.
 *
 * From a moment (a fresh connection), every event received since: none is lost between the
 * request and the subscription. After a seq, the events with a higher one. A seq beyond `newest`
 * cannot be from this launcher's run (seqs restart with it): everything buffered is sent, the
 * first event with `missed: null`; with nothing received yet, the same holds for a first live
 * event at or below the seq. Whenever events are lost on the way (fallen out of the buffer
 * before the stream began, or dropped for a reader too slow to keep up), the next event sent
 * carries `missed`: how many.
 */
export const resume = (
  snapshot: ReadonlyArray<Entry>,
  newest: number | undefined,
  from: From,
  live: Stream.Stream<Entry>
): Stream.Stream<StreamedEvent> => {
  const lastCopied = snapshot.at(-1)?.index ?? -1
  const entries = Stream.fromIterable(snapshot).pipe(Stream.concat(Stream.filter(live, (e) => e.index > lastCopied)))
  const after = from._tag === "After" ? from.seq : undefined
  const otherRun = after !== undefined && newest !== undefined && after > newest
  const initial = (): State => ({
    last: from._tag === "Now" ? from.pushed - 1 : (snapshot[0]?.index ?? 0) - 1,
    first: true,
    all: from._tag === "Now" || otherRun
  })
  return entries.pipe(
    Stream.mapAccum(
      initial,
      (state: State, { index, event }: Entry): readonly [State, ReadonlyArray<StreamedEvent>] => {
        if (from._tag === "Now" && index < from.pushed) return [state, []]
        const next: State = { last: index, first: false, all: state.all }
        const dropped = Math.max(0, index - state.last - 1)
        if (!state.first || after === undefined) {
          if (!state.all && after !== undefined && event.seq <= after) return [state, []]
          return [next, [withMissed(event, dropped)]]
        }
        // The first event after a seq: how many events since that seq are lost, by their seqs.
        if (otherRun || (newest === undefined && event.seq <= after)) {
          return [{ ...next, all: true }, [withMissed(event, null)]]
        }
        if (event.seq <= after) return [{ ...state, last: index }, []]
        return [next, [withMissed(event, event.seq - after - 1)]]
      }
    )
  )
}

export class EventBuffer extends Context.Service<
  EventBuffer,
  {
    /** This moment, to start a fresh stream from: taken when the request is handled, so nothing is lost before the stream runs. */
    readonly now: Effect.Effect<From>
    /** The events from `from` on, then the live ones. */
    readonly stream: (from: From) => Stream.Stream<StreamedEvent>
  }
>()("@agentctl/api/EventBuffer") {
  static readonly layer = (capacity: number = defaultCapacity): Layer.Layer<EventBuffer, never, Control> =>
    Layer.effect(
      EventBuffer,
      Effect.gen(function* () {
        const control = yield* Control
        // A ring: once it is full, `ring[start]` is the oldest entry.
        const ring: Array<Entry> = []
        let start = 0
        let pushed = 0
        let newest: number | undefined = undefined
        let ended = false
        const subscribers = new Set<Queue.Queue<Entry, Cause.Done>>()
        const push = (event: AgentEvent) => {
          const entry = { index: pushed++, event }
          if (ring.length < capacity) ring.push(entry)
          else {
            ring[start] = entry
            start = (start + 1) % capacity
          }
          newest = newest === undefined ? event.seq : Math.max(newest, event.seq)
          for (const queue of subscribers) Queue.offerUnsafe(queue, entry)
        }
        // Control.events ends only where nothing supervises (daemonless): the streams end with it.
        yield* Effect.forkScoped(
          Stream.runForEach(control.events, (event) => Effect.sync(() => push(event))).pipe(
            Effect.ensuring(
              Effect.sync(() => {
                ended = true
                for (const queue of subscribers) Queue.endUnsafe(queue)
              })
            )
          )
        )
        return EventBuffer.of({
          now: Effect.sync((): From => ({ _tag: "Now", pushed })),
          stream: (from) =>
            Stream.unwrap(
              Effect.gen(function* () {
                // As long as the buffer: a reader that falls that far behind loses the oldest (and is told).
                const queue = yield* Queue.sliding<Entry, Cause.Done>(capacity)
                // Subscribing and copying the ring in one synchronous step: no event falls between them.
                const taken = yield* Effect.acquireRelease(
                  Effect.sync(() => {
                    subscribers.add(queue)
                    if (ended) Queue.endUnsafe(queue)
                    return { snapshot: [...ring.slice(start), ...ring.slice(0, start)], newest }
                  }),
                  () => Effect.sync(() => void subscribers.delete(queue))
                )
                return resume(taken.snapshot, taken.newest, from, Stream.fromQueue(queue))
              })
            )
        })
      })
    )
}
