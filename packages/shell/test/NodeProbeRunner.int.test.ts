import { ProbeRunner } from "@agentctl/core/ProbeRunner"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { join } from "node:path"
import { makeWriter } from "./logWriter.ts"
import { runnerLayer, targetOf } from "./probeHarness.ts"
import { cleanup, tempDir } from "./support.ts"

const since = 2_000_000
const listening = { log: "listening on port \\d+" }

/** The runner over a fresh run dir, and a writer appending the agent's records where it reads them. */
const withLog = <A, E>(
  f: (runner: ProbeRunner["Service"], w: ReturnType<typeof makeWriter>) => Effect.Effect<A, E>
) => {
  const runDir = join(tempDir(), "run")
  return ProbeRunner.use((runner) => f(runner, makeWriter(runDir, "a1", since - 100))).pipe(
    Effect.provide(runnerLayer(runDir))
  )
}

describe("log probe", () => {
  afterEach(cleanup)

  it.live("run: a matching line since `since` passes; an older one does not count", () =>
    withLog((runner, w) =>
      Effect.gen(function* () {
        w.append({ text: "listening on port 80", at: since - 10 }, { text: "booting", at: since + 1 })
        expect(yield* runner.run(targetOf(listening, { since }))).toMatchObject({
          ok: false,
          output: "no line matching /listening on port \\d+/ yet",
          error: null
        })
        w.append({ text: "listening on port 8080", at: since + 2 })
        expect(yield* runner.run(targetOf(listening, { since }))).toMatchObject({
          ok: true,
          output: "listening on port 8080",
          error: null
        })
        // Daemonless lines have no arrival time: without `since`, any line of the log counts.
        expect(yield* runner.run(targetOf(listening, { since: null }))).toMatchObject({
          ok: true,
          output: "listening on port 80"
        })
      })
    )
  )

  it.live("run: an agent that has written nothing yet has no matching line, which is not an error", () =>
    withLog((runner) =>
      Effect.gen(function* () {
        expect(yield* runner.run(targetOf(listening, { since }))).toMatchObject({ ok: false, error: null })
      })
    )
  )

  it.live("awaitLine completes when a matching line is appended, not on an older or a different one", () =>
    withLog((runner, w) =>
      Effect.gen(function* () {
        w.append({ text: "listening on port 80", at: since - 10 })
        const fiber = yield* Effect.forkChild(runner.awaitLine(targetOf(listening, { since })))
        w.append({ text: "loading model", at: since + 1 })
        // Time for the follower to have read both lines: it must still be waiting.
        yield* Effect.sleep("500 millis")
        expect(fiber.pollUnsafe()).toBeUndefined()
        w.append({ text: "listening on port 9090", at: since + 2 })
        expect(yield* Fiber.join(fiber)).toMatchObject({ ok: true, output: "listening on port 9090", error: null })
      })
    )
  )
})
