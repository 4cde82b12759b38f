import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { subscribe, unsubscribe } from "node:diagnostics_channel"

/**
 * Gives back the memory a burst of work left behind: configs parsed at boot or reload, bytecode
 * of code that ran once, request and response objects. V8 would find it too, but only when its
 * memory reducer wakes up, seconds to minutes later; until then the launcher's RSS counts it.
 * A "last-resort" collection compacts the heap and returns the freed pages to the kernel at once
 * (about 6 MiB after booting 100 agents; ~16 ms of CPU at 300).
 *
 * `gc` exists only when Node runs with --expose-gc, as `launcher start` and the systemd unit in
 * the README run it; in `launcher run` (inside the CLI) it is absent and this does nothing.
 */
const releaseMemory: Effect.Effect<void> = Effect.sync(() => {
  globalThis.gc?.({ type: "major", execution: "sync", flavor: "last-resort" })
})

/**
 * A signal while the launcher's HTTP servers receive requests, from Node's own diagnostics
 * channel, so the API layer needs no hook. Under load that is thousands of requests a second;
 * one signal per 100 ms says as much at none of the cost (a debounce restarts its timer on each).
 */
const httpRequests: Stream.Stream<void> = Stream.callback<void>(
  (queue) => {
    let lastSignal = 0
    const onRequest = () => {
      const now = Date.now()
      if (now - lastSignal < 100) return
      lastSignal = now
      Queue.offerUnsafe(queue, undefined)
    }
    return Effect.acquireRelease(
      Effect.sync(() => subscribe("http.server.request.start", onRequest)),
      () => Effect.sync(() => unsubscribe("http.server.request.start", onRequest))
    )
  },
  { bufferSize: 1, strategy: "sliding" }
)

/**
 * How much the RSS must have grown since the last collection for the next one to be worth it.
 * A request to a freshly collected launcher grows it by up to 1.5 MiB (young generation, buffers)
 * that the next request reuses; collecting that back after every poll would gain nothing.
 */
const growthWorthCollecting = 2 * 1024 * 1024

/**
 * Boot, a reload, a bulk stop (bursts of supervisor events) or a run of API requests: once the
 * launcher has been quiet for a second after one, its garbage is given back, if its RSS has grown
 * since the last time. A launcher at rest does no collections; one busy without pause does none
 * until the pause; a dashboard polling every few seconds, which leaves the RSS where it was, costs
 * none either.
 */
export const releaseWhenQuiet = <A, E, R>(
  activity: Stream.Stream<A, E, R>,
  readRss: () => number = process.memoryUsage.rss
): Effect.Effect<void, E, R> => {
  let afterLast = 0
  const releaseIfGrown = Effect.suspend(() =>
    readRss() < afterLast + growthWorthCollecting
      ? Effect.void
      : Effect.andThen(
          releaseMemory,
          Effect.sync(() => {
            afterLast = readRss()
          })
        )
  )
  return Stream.merge(activity, httpRequests).pipe(
    Stream.debounce("1 second"),
    Stream.runForEach(() => releaseIfGrown)
  )
}
