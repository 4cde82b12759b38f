import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { build, type BuildEvent, type BuildStep, runBuildSteps, type StepEvent } from "../src/BuildOutput.ts"
import { loadFleet, requireAgent } from "../src/FleetLoader.ts"
import * as FakeProcessTable from "../src/testing/FakeProcessTable.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"

/*
 * One build runner for `agentctl build` and `POST /build`, against the fake Spawner: the same
 * events, the same ending, whether the step exits, is killed or cannot start.
 */

const step = (argv: ReadonlyArray<string>, cwd = "/fleet", agent: string | null = null): BuildStep => ({
  argv,
  cwd,
  agent,
  env: { PATH: "/usr/bin" }
})

const events = (steps: ReadonlyArray<BuildStep>) => Stream.runCollect(runBuildSteps(steps))

describe("the build runner", () => {
  it.effect("a step's lines, its exit, then Done", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.script("make", {
        output: [
          { stream: "stdout", line: "compiling" },
          { stream: "stderr", line: "warning" }
        ]
      })
      const out = yield* events([step(["make", "all"])])
      assert.deepStrictEqual(out, [
        { _tag: "Step", argv: ["make", "all"], cwd: "/fleet", agent: null },
        { _tag: "Output", stream: "stdout", line: "compiling" },
        { _tag: "Output", stream: "stderr", line: "warning" },
        { _tag: "StepExit", exitCode: 0, signal: null },
        { _tag: "Done", ok: true, message: "build `make all` in /fleet succeeded" }
      ] satisfies ReadonlyArray<BuildEvent>)
      assert.deepStrictEqual((yield* table.ran)[0], {
        command: "make",
        args: ["all"],
        cwd: "/fleet",
        env: { PATH: "/usr/bin" }
      })
    }).pipe(Effect.provide(FakeProcessTable.layer))
  )

  it.effect("the first failing step ends the build; the steps after it never run", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.script("bad", { exitCode: 3 })
      const out = yield* events([
        step(["ok"], "/fleet/agents/a1", "a1"),
        step(["bad"], "/fleet/agents/a2", "a2"),
        step(["ok"], "/fleet/agents/a3", "a3")
      ])
      assert.deepStrictEqual(out.slice(-2), [
        { _tag: "StepExit", exitCode: 3, signal: null },
        { _tag: "Done", ok: false, message: "build `bad` in /fleet/agents/a2 exited with code 3" }
      ] satisfies ReadonlyArray<BuildEvent>)
      assert.deepStrictEqual(
        (yield* table.ran).map((r) => r.cwd),
        ["/fleet/agents/a1", "/fleet/agents/a2"]
      )
    }).pipe(Effect.provide(FakeProcessTable.layer))
  )

  it.effect("a step killed by a signal: exitCode null, the signal named", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.script("make", { signal: "SIGKILL" })
      const out = yield* events([step(["make"])])
      assert.deepStrictEqual(out.slice(-2), [
        { _tag: "StepExit", exitCode: null, signal: "SIGKILL" },
        { _tag: "Done", ok: false, message: "build `make` in /fleet was killed by SIGKILL" }
      ] satisfies ReadonlyArray<BuildEvent>)
    }).pipe(Effect.provide(FakeProcessTable.layer))
  )

  it.effect("a step that cannot start: no StepExit, Done says why", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.script("nope", { notFound: true })
      const out = yield* events([step(["nope"])])
      assert.deepStrictEqual(
        out.map((e) => e._tag),
        ["Step", "Done"]
      )
      assert.deepStrictEqual(out[1], {
        _tag: "Done",
        ok: false,
        message: 'command "nope" not found on PATH (/usr/bin)'
      })
    }).pipe(Effect.provide(FakeProcessTable.layer))
  )
})

describe("agentctl build (the same runner, its failure typed)", () => {
  const fleet = Layer.mergeAll(
    FakeProcessTable.layer,
    MemoryFleet.makeLayer(
      {
        "agentctl.yaml": "build: [sh, build.sh]\n",
        ".env": "FROM_DOTENV=fleet\n",
        "agents/a1/config.yaml": "agent:\n  id: a1\nrun:\n  command: sleep\n  args: [600]\n"
      },
      { PATH: "/usr/bin" }
    )
  )

  it.effect("every event reaches the printer; a signal fails with BuildFailed naming it", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.script("sh", { output: [{ stream: "stdout", line: "building" }], signal: "SIGTERM" })
      const seen = yield* Ref.make<ReadonlyArray<StepEvent>>([])
      const loaded = yield* loadFleet()
      const error = yield* Effect.flip(
        build(loaded, [yield* requireAgent(loaded, "a1")], (e) => Ref.update(seen, (all) => [...all, e]))
      )
      assert.strictEqual(error._tag, "BuildFailed")
      assert.deepInclude(error, {
        command: "sh build.sh",
        cwd: "/fleet/agents/a1",
        agent: "a1",
        exitCode: null,
        signal: "SIGTERM"
      })
      assert.deepStrictEqual(
        (yield* Ref.get(seen)).map((e) => e._tag),
        ["Step", "Output", "StepExit"]
      )
      assert.strictEqual((yield* table.ran)[0]!.env["FROM_DOTENV"], "fleet")
    }).pipe(Effect.provide(fleet))
  )

  it.effect("a command that cannot start fails with SpawnFailed, as the API's Done says", () =>
    Effect.gen(function* () {
      const table = yield* FakeProcessTable.FakeProcessTable
      yield* table.script("sh", { notFound: true })
      const error = yield* Effect.flip(build(yield* loadFleet(), [], () => Effect.void))
      assert.strictEqual(error._tag, "SpawnFailed")
      assert.deepInclude(error, { command: "sh", cwd: "/fleet", stage: "exec", code: "ENOENT" })
    }).pipe(Effect.provide(fleet))
  )
})
