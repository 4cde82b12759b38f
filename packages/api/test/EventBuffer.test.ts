import { assert, describe, it } from "@effect/vitest"
import type { AgentEvent } from "@agentctl/core/AgentEvent"
import { Control } from "@agentctl/core/Control"
import type * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { type Entry, EventBuffer, type From, resume } from "../src/EventBuffer.ts"

const event = (seq: number): AgentEvent => ({
  seq,
  at: 1000 * seq,
  id: "a1",
  status: "running",
  detail: { _tag: "Running", pid: 100 + seq, instances: 1, startedAt: 1000 * seq },
  health: null,
  message: `event ${seq}`
})
/** Entries for these seqs, the first received as `firstIndex`. */
const entries = (firstIndex: number, ...seqs: ReadonlyArray<number>): ReadonlyArray<Entry> =>
  seqs.map((seq, i) => ({ index: firstIndex + i, event: event(seq) }))

/** seq, with `missed` when the event carries it. */
const summary = (sent: ReadonlyArray<{ readonly seq: number; readonly missed?: number | null }>) =>
  sent.map((e) => (e.missed === undefined ? e.seq : `${e.seq} missed ${e.missed}`))

describe("EventBuffer.resume", () => {
  const cases: ReadonlyArray<{
    readonly name: string
    readonly buffered: ReadonlyArray<Entry>
    readonly from: From
    readonly live: ReadonlyArray<Entry>
    readonly sent: ReadonlyArray<number | string>
  }> = [
    {
      name: "a fresh stream: what came since the request, then live",
      buffered: entries(0, 1, 2, 3),
      from: { _tag: "Now", pushed: 2 },
      live: entries(3, 4, 5),
      sent: [3, 4, 5]
    },
    {
      name: "a fresh stream whose moment fell out of the buffer says so",
      buffered: entries(5, 6, 7),
      from: { _tag: "Now", pushed: 3 },
      live: [],
      sent: ["6 missed 2", 7]
    },
    {
      name: "a reader too slow to keep up: the events dropped for it are counted on the next one",
      buffered: entries(0, 1, 2),
      from: { _tag: "Now", pushed: 0 },
      live: entries(5, 6, 7),
      sent: [1, 2, "6 missed 3", 7]
    },
    {
      name: "the same after a resume",
      buffered: entries(0, 1, 2),
      from: { _tag: "After", seq: 1 },
      live: entries(5, 6, 7),
      sent: [2, "6 missed 3", 7]
    },
    {
      name: "resumed inside the buffer: the rest, then live",
      buffered: entries(3, 4, 5, 6),
      from: { _tag: "After", seq: 4 },
      live: entries(6, 7),
      sent: [5, 6, 7]
    },
    {
      name: "up to date: live only, nothing missed",
      buffered: entries(3, 4, 5, 6),
      from: { _tag: "After", seq: 6 },
      live: entries(6, 7),
      sent: [7]
    },
    {
      name: "from before the buffer: how many fell out",
      buffered: entries(3, 4, 5, 6),
      from: { _tag: "After", seq: 1 },
      live: entries(6, 7),
      sent: ["4 missed 2", 5, 6, 7]
    },
    {
      name: "from 0: the events the buffer never held count as missed",
      buffered: entries(0, 4, 5),
      from: { _tag: "After", seq: 0 },
      live: [],
      sent: ["4 missed 3", 5]
    },
    {
      name: "an event both copied and live is sent once",
      buffered: entries(0, 4, 5),
      from: { _tag: "After", seq: 3 },
      live: entries(1, 5, 6),
      sent: [4, 5, 6]
    },
    {
      name: "a seq beyond anything this run sent: all of it, the loss unknown",
      buffered: entries(0, 1, 2),
      from: { _tag: "After", seq: 40 },
      live: entries(2, 3),
      sent: ["1 missed null", 2, 3]
    },
    {
      name: "nothing received yet, a first live event at or below the seq: another run's seq",
      buffered: [],
      from: { _tag: "After", seq: 40 },
      live: entries(0, 3, 4),
      sent: ["3 missed null", 4]
    },
    {
      name: "nothing received yet, events from before the API started: the gap is counted",
      buffered: [],
      from: { _tag: "After", seq: 2 },
      live: entries(0, 6, 7),
      sent: ["6 missed 3", 7]
    }
  ]
  for (const c of cases) {
    it.effect(c.name, () =>
      Effect.gen(function* () {
        const newest = c.buffered.at(-1)?.event.seq
        const sent = yield* Stream.runCollect(resume(c.buffered, newest, c.from, Stream.fromIterable(c.live)))
        assert.deepStrictEqual(summary(sent), c.sent)
      })
    )
  }
})

/** An EventBuffer over a Control whose events the test offers to a queue. */
const withEvents = <A, E>(
  capacity: number,
  body: (queue: Queue.Queue<AgentEvent, Cause.Done>, buffer: EventBuffer["Service"]) => Effect.Effect<A, E>
) =>
  Effect.gen(function* () {
    const queue = yield* Queue.unbounded<AgentEvent, Cause.Done>()
    const control = Layer.mock(Control, { supervisor: "launcher", events: Stream.fromQueue(queue) })
    return yield* Effect.gen(function* () {
      return yield* body(queue, yield* EventBuffer)
    }).pipe(Effect.provide(EventBuffer.layer(capacity).pipe(Layer.provide(control))))
  })

describe("EventBuffer", () => {
  it.effect("keeps the last `capacity` events; a resume from before them says how many fell out", () =>
    withEvents(3, (queue, buffer) =>
      Effect.gen(function* () {
        yield* Queue.offerAll(queue, [1, 2, 3, 4, 5].map(event))
        yield* Queue.end(queue)
        // A stream ends when the buffer's source has ended, so by then the buffer holds everything.
        yield* Stream.runDrain(buffer.stream(yield* buffer.now))
        assert.deepStrictEqual(summary(yield* Stream.runCollect(buffer.stream({ _tag: "After", seq: 0 }))), [
          "3 missed 2",
          4,
          5
        ])
        assert.deepStrictEqual(summary(yield* Stream.runCollect(buffer.stream({ _tag: "After", seq: 3 }))), [4, 5])
        assert.deepStrictEqual(summary(yield* Stream.runCollect(buffer.stream({ _tag: "After", seq: 5 }))), [])
      })
    )
  )

  it.effect("a stream taken at a moment gets every event after it, whenever it starts running", () =>
    withEvents(10, (queue, buffer) =>
      Effect.gen(function* () {
        yield* Queue.offerAll(queue, [1, 2].map(event))
        // Resumed after 0, it ends with seq 2 whether the buffer had them when it subscribed or not.
        yield* Stream.runDrain(buffer.stream({ _tag: "After", seq: 0 }).pipe(Stream.take(2)))
        const moment = yield* buffer.now
        yield* Queue.offerAll(queue, [3, 4].map(event))
        const resumed = yield* Effect.forkChild(Stream.runCollect(buffer.stream({ _tag: "After", seq: 3 })))
        const fresh = yield* Effect.forkChild(Stream.runCollect(buffer.stream(moment)))
        yield* Queue.offerAll(queue, [5].map(event))
        yield* Queue.end(queue)
        assert.deepStrictEqual(summary(yield* Fiber.join(fresh)), [3, 4, 5])
        assert.deepStrictEqual(summary(yield* Fiber.join(resumed)), [4, 5])
      })
    )
  )

  it.effect("a reader that falls behind by more than the buffer loses the oldest, and is told how many", () =>
    withEvents(3, (queue, buffer) =>
      Effect.gen(function* () {
        const release = yield* Deferred.make<void>()
        const moment = yield* buffer.now
        // Reads one event, then stops reading until released.
        const reader = yield* Effect.forkChild(
          Stream.runCollect(
            buffer.stream(moment).pipe(Stream.tap((e) => (e.seq === 1 ? Deferred.await(release) : Effect.void)))
          )
        )
        yield* Queue.offerAll(queue, [1, 2, 3, 4, 5, 6, 7, 8].map(event))
        yield* Queue.end(queue)
        // Once a fresh stream has ended, the buffer has seen every event.
        yield* Stream.runDrain(buffer.stream(yield* buffer.now))
        yield* Deferred.succeed(release, undefined)
        const sent = yield* Fiber.join(reader)
        // Whether it subscribed before or after the events came, every event is sent or counted.
        const missed = sent.reduce((n, e) => n + (e.missed ?? 0), 0)
        assert.strictEqual(sent.length + missed, 8)
        assert.isAbove(missed, 0)
        assert.strictEqual(sent.at(-1)?.seq, 8)
      })
    )
  )
})
