import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { whileStopped } from "../src/AgentData.ts"
import { Control } from "../src/Control.ts"
import * as Daemonless from "../src/Daemonless.ts"
import { FileError } from "../src/Errors.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"

const fleet = Daemonless.layer.pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      FakeProcessTable.layer,
      MemoryFleet.makeLayer({
        "agents/a/config.yaml": "agent:\n  id: a\n  name: A\nrun:\n  command: sleep\n  args: [600]\n"
      })
    )
  )
)

/** Stops poll the process table on a timer; let TestClock run them. */
const settle = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    yield* TestClock.adjust("1 second")
    return yield* Fiber.join(fiber)
  })

describe("AgentData.whileStopped", () => {
  it.effect("a running agent is stopped for the work and started again", () =>
    Effect.gen(function* () {
      const control = yield* Control
      const [first] = yield* control.start({ _tag: "Ids", ids: ["a"] })
      const seen: Array<string> = []
      const out = yield* settle(
        whileStopped(
          "a",
          Effect.flatMap(control.status("a"), (row) => Effect.sync(() => seen.push(row.status)))
        )
      )
      assert.deepStrictEqual(seen, ["stopped"])
      assert.deepStrictEqual([out.restarted, out.restartError], [true, null])
      const row = yield* control.status("a")
      assert.strictEqual(row.status, "running")
      assert.notStrictEqual(row.pid, first!.pid)
    }).pipe(Effect.provide(fleet))
  )

  it.effect("a stopped agent stays stopped; a failed work still restarts a running one, then fails", () =>
    Effect.gen(function* () {
      const control = yield* Control
      const idle = yield* whileStopped("a", Effect.succeed(1))
      assert.deepStrictEqual(idle, { result: 1, restarted: false, restartError: null })
      assert.strictEqual((yield* control.status("a")).status, "stopped")

      yield* control.start({ _tag: "Ids", ids: ["a"] })
      const failed = yield* settle(
        Effect.flip(whileStopped("a", Effect.fail(FileError.because("x", "write", { code: "ENOSPC", detail: null }))))
      )
      assert.strictEqual(failed._tag, "FileError")
      assert.strictEqual((yield* control.status("a")).status, "running")
    }).pipe(Effect.provide(fleet))
  )

  it.effect("a restart that fails is reported beside the work's result", () =>
    Effect.gen(function* () {
      const control = yield* Control
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* control.start({ _tag: "Ids", ids: ["a"] })
      yield* table.setBehaviour("a", { notFound: true })
      const out = yield* settle(whileStopped("a", Effect.succeed("done")))
      assert.strictEqual(out.result, "done")
      assert.isFalse(out.restarted)
      assert.match(out.restartError ?? "", /not found/)
    }).pipe(Effect.provide(fleet))
  )
})
