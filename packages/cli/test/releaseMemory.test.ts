import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { channel } from "node:diagnostics_channel"
import { afterEach, beforeEach } from "vitest"
import { releaseWhenQuiet } from "../src/launcher/releaseMemory.ts"

/*
 * When the launcher collects its garbage: once per burst of work, a second after it ends, never
 * at rest. `gc` is replaced by a counter (Node runs these tests without --expose-gc).
 */

// A fake RSS: each collection brings it back to 50 MiB; a test grows it by hand.
const MiB = 1024 * 1024
let collections = 0
let rss = 0
beforeEach(() => {
  collections = 0
  rss = 60 * MiB
  globalThis.gc = (() => {
    collections++
    rss = 50 * MiB
  }) as NodeJS.GCFunction
})
afterEach(() => {
  globalThis.gc = undefined
})

const watching = Effect.gen(function* () {
  const events = yield* Queue.unbounded<string>()
  const fiber = yield* Effect.forkChild(releaseWhenQuiet(Stream.fromQueue(events), () => rss))
  yield* TestClock.adjust("1 millis") // let it subscribe
  return { events, fiber }
})

describe("releaseWhenQuiet", () => {
  it.effect("collects once, a second after a burst of events ends, and never at rest", () =>
    Effect.gen(function* () {
      const { events, fiber } = yield* watching
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(collections, 0)
      yield* Queue.offer(events, "starting")
      yield* TestClock.adjust("600 millis")
      yield* Queue.offer(events, "running")
      yield* TestClock.adjust("600 millis")
      assert.strictEqual(collections, 0, "within a second of the last event")
      yield* TestClock.adjust("500 millis")
      assert.strictEqual(collections, 1)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(collections, 1)
      yield* Fiber.interrupt(fiber)
    })
  )

  it.effect("skips the collection when the RSS has not grown by 2 MiB since the last one", () =>
    Effect.gen(function* () {
      const { events, fiber } = yield* watching
      yield* Queue.offer(events, "boot")
      yield* TestClock.adjust("1001 millis")
      assert.strictEqual(collections, 1)
      // A poll every few seconds that leaves the RSS where it was: no collections.
      for (const grown of [0, MiB, 2 * MiB - 1]) {
        rss = 50 * MiB + grown
        yield* Queue.offer(events, "poll")
        yield* TestClock.adjust("3 seconds")
      }
      assert.strictEqual(collections, 1)
      rss = 52 * MiB
      yield* Queue.offer(events, "reload")
      yield* TestClock.adjust("1001 millis")
      assert.strictEqual(collections, 2)
      yield* Fiber.interrupt(fiber)
    })
  )

  it.effect("HTTP requests are activity too, read from Node's diagnostics channel", () =>
    Effect.gen(function* () {
      const { fiber } = yield* watching
      channel("http.server.request.start").publish({})
      yield* TestClock.adjust("999 millis")
      assert.strictEqual(collections, 0)
      yield* TestClock.adjust("2 millis")
      assert.strictEqual(collections, 1)
      yield* Fiber.interrupt(fiber)
      // Interrupted, it has unsubscribed: later requests collect nothing.
      channel("http.server.request.start").publish({})
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(collections, 1)
    })
  )
})
