import { ProbeRunner } from "@agentctl/core/ProbeRunner"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { hangingTree, pidWritten, runnerLayer, runOnce, targetOf, untilGone } from "./probeHarness.ts"
import { cleanup, tempDir } from "./support.ts"

describe("exec probe", () => {
  afterEach(cleanup)

  it.live("passes on exit 0, with what it said", () =>
    Effect.gen(function* () {
      const result = yield* runOnce(targetOf({ exec: ["sh", "-c", "echo fine"] }))
      expect(result).toMatchObject({ ok: true, output: "exit code 0: fine", error: null })
      expect(result.ms).toBeGreaterThanOrEqual(0)
    })
  )

  it.live("fails with the exit code and its output, trimmed, stdout and stderr both", () =>
    Effect.gen(function* () {
      const result = yield* runOnce(
        targetOf({ exec: ["sh", "-c", "printf '\\n  db is down\\n' >&2; printf 'retry later  \\n\\n'; exit 3"] })
      )
      expect(result.ok).toBe(false)
      expect(result.error).toBeNull()
      expect(result.output).toMatch(/^exit code 3: /)
      expect(result.output).toContain("db is down")
      expect(result.output).toContain("retry later")
      expect(result.output).toBe(result.output.trim())
    })
  )

  it.live("a long output is cut, not kept whole", () =>
    Effect.gen(function* () {
      const result = yield* runOnce(targetOf({ exec: ["sh", "-c", "yes 0123456789 | head -c 100000; exit 1"] }))
      expect(result.ok).toBe(false)
      expect(result.output).toMatch(/^exit code 1: 0123456789/)
      expect(result.output).toMatch(/more characters\)$/)
      expect(result.output.length).toBeLessThan(1000)
    })
  )

  it.live("runs in the given cwd with exactly the given env, nothing inherited", () =>
    Effect.gen(function* () {
      const cwd = tempDir()
      expect(process.env["HOME"] ?? process.env["USER"]).toBeDefined()
      const result = yield* runOnce(
        // An absolute argv[0] and no PATH: the output is cut at 512 characters, and a clone's PATH is long.
        targetOf({ exec: ["/bin/sh", "-c", "pwd; env"] }, { cwd, env: { PROBE_TOKEN: "a b", EMPTY: "" } })
      )
      expect(result.ok).toBe(true)
      const [where, ...vars] = result.output.replace(/^exit code 0: /, "").split("\n")
      expect(where).toBe(cwd)
      // sh itself adds PWD (and sometimes SHLVL, _, OLDPWD, a default PATH); everything else must be what was given.
      expect(vars.filter((v) => !/^(PWD|SHLVL|_|OLDPWD|PATH)=/.test(v)).toSorted()).toEqual([
        "EMPTY=",
        "PROBE_TOKEN=a b"
      ])
    })
  )

  it.live("a probe that hangs is killed at its timeout, and so is the child it started", () =>
    Effect.gen(function* () {
      const cwd = tempDir()
      const result = yield* runOnce(targetOf({ exec: hangingTree, timeout: "3s" }, { cwd }))
      expect(result).toMatchObject({ ok: false, error: null, output: "killed after its 3000ms timeout" })
      const probe = yield* pidWritten(cwd, "probe.pid")
      const child = yield* pidWritten(cwd, "child.pid")
      expect(child).not.toBe(probe)
      yield* untilGone(probe)
      yield* untilGone(child)
    })
  )

  it.live("interrupting a run kills the probe's process group", () =>
    Effect.gen(function* () {
      const cwd = tempDir()
      const runner = yield* ProbeRunner
      const fiber = yield* Effect.forkChild(runner.run(targetOf({ exec: hangingTree, timeout: "60s" }, { cwd })))
      const probe = yield* pidWritten(cwd, "probe.pid")
      const child = yield* pidWritten(cwd, "child.pid")
      yield* Fiber.interrupt(fiber)
      yield* untilGone(probe)
      yield* untilGone(child)
    }).pipe(Effect.provide(runnerLayer()))
  )

  it.live("what a probe leaves running when it exits is killed, and does not hold its result", () =>
    Effect.gen(function* () {
      const cwd = tempDir()
      // One child keeps the probe's stdout open, one does not: both are the probe's litter.
      const result = yield* runOnce(
        targetOf(
          {
            exec: [
              "sh",
              "-c",
              "sleep 60 & echo $! > held.pid; sleep 60 >/dev/null 2>&1 & echo $! > free.pid; echo done"
            ],
            timeout: "20s"
          },
          { cwd }
        )
      )
      expect(result).toMatchObject({ ok: true, output: "exit code 0: done", error: null })
      yield* untilGone(yield* pidWritten(cwd, "held.pid"))
      yield* untilGone(yield* pidWritten(cwd, "free.pid"))
    })
  )

  it.live("a missing binary is an error naming the command, not a failure", () =>
    Effect.gen(function* () {
      const result = yield* runOnce(targetOf({ exec: ["no-such-probe-binary", "--check"] }))
      expect(result.ok).toBe(false)
      expect(result.output).toBe("")
      expect(result.error).toContain('"no-such-probe-binary"')
      expect(result.error).toContain("ENOENT")
    })
  )

  it.live("a file that is not executable is an error too", () =>
    Effect.gen(function* () {
      const cwd = tempDir()
      writeFileSync(join(cwd, "check.sh"), "exit 0\n")
      const result = yield* runOnce(targetOf({ exec: ["./check.sh"] }, { cwd }))
      expect(result.ok).toBe(false)
      expect(result.error).toContain('"./check.sh"')
      expect(result.error).toContain("EACCES")
    })
  )

  it.live("a cwd that is gone, or is a file, is an error naming the cwd, not the command's ENOENT", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      writeFileSync(join(dir, "file"), "")
      const cases = [
        [join(dir, "gone"), "does not exist"],
        // spawn throws for this one instead of emitting an error
        [join(dir, "file"), "is not a directory"]
      ] as const
      for (const [cwd, problem] of cases) {
        const result = yield* runOnce(targetOf({ exec: ["true"] }, { cwd }))
        expect(result).toMatchObject({
          ok: false,
          output: "",
          error: `could not run "true": its cwd ${cwd} ${problem}`
        })
      }
    })
  )
})
