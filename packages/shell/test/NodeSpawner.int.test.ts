import { type ForegroundRequest, type SpawnRequest, Spawner } from "@agentctl/core/Spawner"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { chmodSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { layer } from "../src/NodeSpawner.ts"
import { readSnapshotSync } from "../src/procfsSync.ts"
import { cleanup, isAlive, PATH, tempDir, track, waitFor } from "./support.ts"

/** What a daemonless spawn is given; it appends to logFile and does not read these. */
const logs = { maxSize: 10 * 1024 * 1024, keep: 5, minKeep: 1024 * 1024, compress: true, maxLine: 64 * 1024 }

const spawnTracked = (req: SpawnRequest) =>
  Spawner.use((spawner) => spawner.spawn(req)).pipe(Effect.tap(({ pid }) => Effect.sync(() => track(pid))))

const untilGone = (pid: number) =>
  Effect.promise(() => waitFor(`pid ${pid} to exit`, () => (isAlive(pid) ? undefined : true)))

const collect = (req: ForegroundRequest) => Spawner.use((spawner) => Stream.runCollect(spawner.run(req)))

const openFds = () => readdirSync("/proc/self/fd").length

describe("NodeSpawner.spawn", () => {
  afterEach(cleanup)

  it.live("appends stdout and stderr to the log, never truncates it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const logFile = join(dir, "logs", "nested", "a1.log")
      const base = { id: "a1", cwd: dir, env: { PATH }, logFile, logs, notify: false }
      const first = yield* spawnTracked({ ...base, command: "sh", args: ["-c", "echo one; echo err >&2"] })
      yield* untilGone(first.pid)
      const second = yield* spawnTracked({ ...base, command: "sh", args: ["-c", "echo two"] })
      yield* untilGone(second.pid)
      expect(readFileSync(logFile, "utf8")).toBe("one\nerr\ntwo\n")
    }).pipe(Effect.provide(layer))
  )

  it.live("the environment is exactly the one given, the cwd is honoured", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const logFile = join(dir, "env.log")
      const env = { PATH, AGENTCTL_AGENT: "a1", WITH_SPACE: "a b" }
      const { pid } = yield* spawnTracked({
        id: "a1",
        command: "sh",
        args: ["-c", "env; pwd"],
        cwd: dir,
        env,
        logFile,
        logs,
        notify: false
      })
      yield* untilGone(pid)
      const lines = readFileSync(logFile, "utf8").trim().split("\n")
      expect(lines.pop()).toBe(dir)
      // sh itself adds PWD (and sometimes SHLVL, _); everything else must be ours.
      const mine = lines.filter((line) => !/^(PWD|SHLVL|_|OLDPWD)=/.test(line)).toSorted()
      expect(mine).toEqual(["AGENTCTL_AGENT=a1", `PATH=${PATH}`, "WITH_SPACE=a b"])
    }).pipe(Effect.provide(layer))
  )

  it.live("starts a new session: sid === pgid === pid; our log fd is closed again", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const fdsBefore = openFds()
      const { pid } = yield* spawnTracked({
        id: "a1",
        command: "sleep",
        args: ["60"],
        cwd: dir,
        env: { PATH },
        logFile: join(dir, "a1.log"),
        logs,
        notify: false
      })
      const info = readSnapshotSync().processes.get(pid)
      expect(info).toMatchObject({ pid, sid: pid, pgid: pid, comm: "sleep" })
      expect(openFds()).toBe(fdsBefore)
    }).pipe(Effect.provide(layer))
  )

  it.live("exit completes with the code, or the signal, when the process ends", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const base = { id: "a1", cwd: dir, env: { PATH }, logFile: join(dir, "a1.log"), logs, notify: false }
      const before = Date.now()
      const exits = yield* spawnTracked({ ...base, command: "sh", args: ["-c", "exit 7"] })
      const info = yield* exits.exit
      expect(info).toMatchObject({ code: 7, signal: null })
      expect(info.at).toBeGreaterThanOrEqual(before)
      const killed = yield* spawnTracked({ ...base, command: "sleep", args: ["60"] })
      process.kill(killed.pid, "SIGKILL")
      expect(yield* killed.exit).toMatchObject({ code: null, signal: "SIGKILL" })
    }).pipe(Effect.provide(layer))
  )

  it.effect("a command not on PATH: SpawnFailed saying so", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const spawner = yield* Spawner
      const req = {
        id: "a1",
        args: [],
        cwd: dir,
        env: { PATH: "/nonexistent" },
        logFile: join(dir, "a1.log"),
        logs,
        notify: false
      }
      const error = yield* Effect.flip(spawner.spawn({ ...req, command: "definitely-not-a-command" }))
      expect(error).toMatchObject({ _tag: "SpawnFailed", id: "a1", command: "definitely-not-a-command" })
      expect(error.message).toContain('command "definitely-not-a-command" not found on PATH')
      const missing = yield* Effect.flip(spawner.spawn({ ...req, command: join(dir, "nope") }))
      expect(missing.message).toBe(`command "${join(dir, "nope")}" does not exist`)
    }).pipe(Effect.provide(layer))
  )

  it.effect("a file that is not executable: SpawnFailed saying so", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const script = join(dir, "script.sh")
      writeFileSync(script, "#!/bin/sh\necho hi\n")
      chmodSync(script, 0o644)
      const error = yield* Effect.flip(
        (yield* Spawner).spawn({
          id: "a1",
          command: script,
          args: [],
          cwd: dir,
          env: { PATH },
          logFile: join(dir, "l"),
          logs,
          notify: false
        })
      )
      expect(error.message).toContain("is not executable")
    }).pipe(Effect.provide(layer))
  )

  it.effect("a missing or non-folder working directory: SpawnFailed naming it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const spawner = yield* Spawner
      const req = {
        id: "a1",
        command: "sleep",
        args: ["1"],
        env: { PATH },
        logFile: join(dir, "a1.log"),
        logs,
        notify: false
      }
      const missing = yield* Effect.flip(spawner.spawn({ ...req, cwd: join(dir, "gone") }))
      expect(missing.message).toBe(`working directory "${join(dir, "gone")}" does not exist`)
      writeFileSync(join(dir, "file"), "")
      const notDir = yield* Effect.flip(spawner.spawn({ ...req, cwd: join(dir, "file") }))
      expect(notDir.message).toContain("is not a directory")
    }).pipe(Effect.provide(layer))
  )
})

describe("NodeSpawner.run", () => {
  afterEach(cleanup)

  it.live("streams stdout and stderr as lines, then the exit code, or the signal that killed it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const req = { cwd: dir, env: { PATH } }
      const out = yield* collect({
        ...req,
        command: "sh",
        args: ["-c", "echo one; echo warn >&2; printf 'two\\r\\nlast'; exit 3"]
      })
      expect(out.filter((o) => o._tag === "Line" && o.stream === "stdout")).toEqual([
        { _tag: "Line", stream: "stdout", line: "one" },
        { _tag: "Line", stream: "stdout", line: "two" },
        { _tag: "Line", stream: "stdout", line: "last" }
      ])
      expect(out).toContainEqual({ _tag: "Line", stream: "stderr", line: "warn" })
      expect(out.at(-1)).toEqual({ _tag: "Exit", code: 3, signal: null })
      expect((yield* collect({ ...req, command: "sh", args: ["-c", "exit 0"] })).at(-1)).toEqual({
        _tag: "Exit",
        code: 0,
        signal: null
      })
      expect((yield* collect({ ...req, command: "sh", args: ["-c", "kill -9 $$"] })).at(-1)).toEqual({
        _tag: "Exit",
        code: null,
        signal: "SIGKILL"
      })
    }).pipe(Effect.provide(layer))
  )

  it.live("runs in the given cwd with exactly the given env, stdin closed", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const out = yield* collect({
        command: "sh",
        args: ["-c", 'test "$(pwd)" = "$WANT" && test -z "$HOME" && ! read line'],
        cwd: dir,
        env: { PATH, WANT: dir }
      })
      expect(out).toEqual([{ _tag: "Exit", code: 0, signal: null }])
    }).pipe(Effect.provide(layer))
  )

  it.live("a dropped stream SIGTERMs the process", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const pidFile = join(dir, "pid")
      const first = yield* Spawner.use((spawner) =>
        spawner
          .run({
            command: "sh",
            args: ["-c", `echo $$ > ${pidFile}; echo started; exec sleep 60`],
            cwd: dir,
            env: { PATH }
          })
          .pipe(Stream.take(1), Stream.runCollect)
      )
      expect(first).toEqual([{ _tag: "Line", stream: "stdout", line: "started" }])
      const pid = Number(readFileSync(pidFile, "utf8"))
      track(pid)
      yield* untilGone(pid)
    }).pipe(Effect.provide(layer))
  )

  it.effect("spawn errors are SpawnFailed with the stage, errno and PATH", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const error = yield* Effect.flip(collect({ command: "no-such-build-tool", args: [], cwd: dir, env: { PATH } }))
      expect(error).toMatchObject({
        _tag: "SpawnFailed",
        command: "no-such-build-tool",
        stage: "exec",
        code: "ENOENT",
        searchPath: PATH
      })
      expect(error.message).toContain("not found on PATH")
      const badCwd = yield* Effect.flip(collect({ command: "true", args: [], cwd: join(dir, "x"), env: { PATH } }))
      expect(badCwd).toMatchObject({ stage: "cwd", code: "ENOENT", cwd: join(dir, "x") })
      expect(badCwd.message).toContain("does not exist")
    }).pipe(Effect.provide(layer))
  )
})
