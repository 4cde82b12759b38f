/**
 * Spawner on node:child_process. Never a shell: argv goes to execve as given, looked up on the
 * PATH of the request's env.
 */
import { SpawnFailed, type SpawnStage } from "@agentctl/core/Errors"
import type { ExitInfo } from "@agentctl/core/Status"
import {
  type ForegroundRequest,
  type ProcessOutput,
  type SpawnRequest,
  type Spawned,
  Spawner
} from "@agentctl/core/Spawner"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { ChildProcess } from "node:child_process"
import { closeSync, mkdirSync, openSync, statSync } from "node:fs"
import { dirname } from "node:path"
import { errorCode } from "./errno.ts"
import { childProcess } from "./childProcess.ts"

const failure = (id: string, req: ForegroundRequest, stage: SpawnStage, cause: unknown, path: string | null = null) =>
  SpawnFailed.fromCause(
    { id, command: req.command, cwd: req.cwd, stage, path, searchPath: req.env["PATH"] ?? null },
    cause
  )

/** Checked up front: a missing cwd makes spawn fail with ENOENT, indistinguishable from a missing command. */
/** A stat(2) made directly: a thread-pool round trip costs more than the call (see writeAtomic). */
const checkCwd = (id: string, req: ForegroundRequest): Effect.Effect<void, SpawnFailed> =>
  Effect.try({ try: () => statSync(req.cwd), catch: (error) => failure(id, req, "cwd", error) }).pipe(
    Effect.flatMap((s) =>
      s.isDirectory()
        ? Effect.void
        : Effect.fail(SpawnFailed.because({ id, command: req.command, cwd: req.cwd, stage: "cwd", code: "ENOTDIR" }))
    )
  )

/**
 * Where a detached agent's stdout and stderr go, and its readiness notifications (fd 3, with
 * `notify: true`): descriptors the child inherits, ours closed once it runs.
 */
export interface SpawnOutput {
  readonly stdout: number
  readonly stderr: number
  readonly notify: number | null
}

/** The log opened for appending; its folder made only when the open finds it missing. */
const openLog = (file: string): number => {
  try {
    return openSync(file, "a")
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error
    mkdirSync(dirname(file), { recursive: true })
    return openSync(file, "a")
  }
}

/**
 * Without a launcher: both appended to run/<id>.log, which the agent then holds itself; its
 * notifications go to /dev/null, since nobody waits for them.
 */
const appendToLogFile = (req: SpawnRequest): Effect.Effect<SpawnOutput, SpawnFailed> =>
  Effect.tryPromise({
    try: async () => {
      const fd = openLog(req.logFile)
      return { stdout: fd, stderr: fd, notify: req.notify ? openSync("/dev/null", "w") : null }
    },
    catch: (error) => failure(req.id, req, "log", error, req.logFile)
  })

const closeOutput = (output: SpawnOutput) =>
  Effect.sync(() => {
    closeSync(output.stdout)
    if (output.stderr !== output.stdout) closeSync(output.stderr)
    if (output.notify !== null) closeSync(output.notify)
  })

const startDetached = (req: SpawnRequest, output: SpawnOutput): Effect.Effect<Spawned, SpawnFailed> =>
  Effect.callback<Spawned, SpawnFailed>((resume) => {
    const fail = (error: unknown) => resume(Effect.fail(failure(req.id, req, "exec", error)))
    try {
      const child = childProcess().spawn(req.command, req.args, {
        cwd: req.cwd,
        env: { ...req.env },
        // setsid(2): the agent leads its own session, outliving us and our terminal.
        detached: true,
        // fd 3 is $AGENTCTL_NOTIFY_FD (ProcessTable.notifyFd).
        stdio: ["ignore", output.stdout, output.stderr, ...(output.notify === null ? [] : [output.notify])]
      })
      // Registered before anything can happen; the time is taken when the kernel reports the exit.
      const exited = Deferred.makeUnsafe<ExitInfo>()
      child.once("exit", (code, signal) => {
        Deferred.doneUnsafe(exited, Effect.succeed({ code, signal, at: Date.now() }))
      })
      child.once("error", fail)
      child.once("spawn", () => {
        child.removeListener("error", fail)
        // Unref'd: a CLI exits right after spawning; a daemon that stays up still sees the exit.
        child.unref()
        if (child.pid === undefined) fail(new Error("no pid after spawn"))
        else resume(Effect.succeed({ pid: child.pid, exit: Deferred.await(exited) }))
      })
    } catch (error) {
      // Synchronous throws: invalid arguments (e.g. a NUL byte in argv or env).
      fail(error)
    }
  })

const spawnWith = (openOutput: (req: SpawnRequest) => Effect.Effect<SpawnOutput, SpawnFailed>) =>
  Effect.fn("NodeSpawner.spawn")(function* (req: SpawnRequest) {
    yield* checkCwd(req.id, req)
    return yield* Effect.acquireUseRelease(
      openOutput(req),
      (output) => startDetached(req, output),
      // The child holds its own copies of the descriptors; ours must not leak.
      closeOutput
    )
  })

/** Splits one output stream into lines; a last line without "\n" comes out when the stream ends. */
const lineSplitter = (emit: (line: string) => void) => {
  let rest = ""
  return {
    push: (chunk: string) => {
      const parts = (rest + chunk).split("\n")
      rest = parts.pop() ?? ""
      for (const line of parts) emit(line.endsWith("\r") ? line.slice(0, -1) : line)
    },
    end: () => {
      if (rest !== "") emit(rest)
      rest = ""
    }
  }
}

const run = (req: ForegroundRequest): Stream.Stream<ProcessOutput, SpawnFailed> =>
  Stream.unwrap(
    Effect.as(
      checkCwd("", req),
      Stream.callback<ProcessOutput, SpawnFailed>((queue) => {
        const linesOf = (stream: "stdout" | "stderr") =>
          lineSplitter((line) => void Queue.offerUnsafe(queue, { _tag: "Line", stream, line }))
        return Effect.acquireRelease(
          Effect.sync(() => {
            const out = linesOf("stdout")
            const err = linesOf("stderr")
            let failed = false
            const fail = (error: unknown) => {
              failed = true
              Queue.failCauseUnsafe(queue, Cause.fail(failure("", req, "exec", error)))
            }
            let child: ChildProcess
            try {
              child = childProcess().spawn(req.command, req.args, {
                cwd: req.cwd,
                env: { ...req.env },
                stdio: ["ignore", "pipe", "pipe"],
                // Its own process group, so that stopping it reaches what it started (`sh -c` and its
                // children), as a terminal's Ctrl-C reaches a foreground job.
                detached: true
              })
            } catch (error) {
              // Synchronous throws: invalid arguments (e.g. a NUL byte in argv or env).
              fail(error)
              return null
            }
            child.stdout?.setEncoding("utf8").on("data", out.push)
            child.stderr?.setEncoding("utf8").on("data", err.push)
            child.once("error", fail)
            // "close": the process exited and both pipes are drained, so every line is in first.
            child.once("close", (code, signal) => {
              if (failed) return
              out.end()
              err.end()
              Queue.offerUnsafe(queue, { _tag: "Exit", code, signal })
              Queue.endUnsafe(queue)
            })
            return child
          }),
          // Dropped before it ended (Ctrl-C in a build, a client hanging up): do not leave it, or
          // anything it started, running.
          (child) =>
            Effect.sync(() => {
              if (child === null || child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
                return
              try {
                process.kill(-child.pid, "SIGTERM")
              } catch (error) {
                // ESRCH: the group is gone already, which is what we wanted.
                if (errorCode(error) !== "ESRCH") throw error
              }
            })
        )
      })
    )
  )

export const layer: Layer.Layer<Spawner> = Layer.succeed(
  Spawner,
  Spawner.of({ spawn: spawnWith(appendToLogFile), run })
)

/**
 * A Spawner whose agents write where `openOutput` says (the launcher: FIFOs it drains, see
 * logs/FleetLogs.ts). Foreground runs (build steps) are the same either way.
 */
export const layerWithOutput = (openOutput: (req: SpawnRequest) => SpawnOutput): Layer.Layer<Spawner> =>
  Layer.succeed(
    Spawner,
    Spawner.of({
      spawn: spawnWith((req) =>
        Effect.try({
          try: () => openOutput(req),
          // The path the failed call named (a FIFO under run/logs/<id>/), else the agent's log.
          catch: (error) => failure(req.id, req, "log", error, pathOf(error) ?? req.logFile)
        })
      ),
      run
    })
  )

const pathOf = (error: unknown): string | null =>
  typeof error === "object" && error !== null && "path" in error && typeof error.path === "string" ? error.path : null
