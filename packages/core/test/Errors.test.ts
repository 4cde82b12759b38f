import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import {
  AgentNotFound,
  BuildFailed,
  FileError,
  LauncherFailedToStart,
  LauncherSurvived,
  ProbeFailed,
  ProcessGone,
  RootInvalid,
  SignalDenied,
  SpawnFailed
} from "../src/Errors.ts"

/** An error as node:fs throws it. */
const errno = (code: string, message: string) => Object.assign(new Error(message), { code })

describe("errors carry fields; each message is built from them in one place", () => {
  it("FileError: the errno in words, the errno and the cause kept as fields", () => {
    const cause = errno("ENOENT", "ENOENT: no such file or directory, open '/f/run/a.pid'")
    const e = FileError.fromCause("/f/run/a.pid", "read", cause)
    assert.deepInclude(e, { path: "/f/run/a.pid", operation: "read", code: "ENOENT", detail: null })
    assert.strictEqual(e.cause, cause)
    assert.strictEqual(e.message, "cannot read /f/run/a.pid: no such file or directory")
  })

  it("FileError: an errno without words, or none, keeps what the failure said (its first line)", () => {
    const odd = FileError.fromCause("/f/x", "write", errno("EXDEV", "EXDEV: cross-device link not permitted\nat ..."))
    assert.deepInclude(odd, { code: "EXDEV", detail: "EXDEV: cross-device link not permitted" })
    assert.strictEqual(odd.message, "cannot write /f/x: EXDEV: cross-device link not permitted")
    const parse = FileError.because("/f/run/a.pid", "parse pid record", { code: null, detail: "Expected number" })
    assert.strictEqual(parse.message, "cannot parse pid record /f/run/a.pid: Expected number")
  })

  it("user input and OS text are printable in messages, raw in fields", () => {
    const id = "a\x1b[2Jb"
    const e = AgentNotFound.forId(id)
    assert.strictEqual(e.id, id)
    assert.strictEqual(e.message, 'no agent with id "a\\x1b[2Jb"')
    assert.strictEqual(
      FileError.because("/f/\n", "read", { code: "EACCES", detail: null }).message,
      "cannot read /f/\\n: permission denied"
    )
  })

  it("SpawnFailed: the stage, errno and PATH say what to fix", () => {
    const base = { id: "a1", command: "node", cwd: "/f/agents/a1" }
    const notFound = SpawnFailed.fromCause(
      { ...base, stage: "exec", searchPath: "/usr/bin" },
      errno("ENOENT", "spawn node ENOENT")
    )
    assert.deepInclude(notFound, { stage: "exec", code: "ENOENT", searchPath: "/usr/bin", cwd: "/f/agents/a1" })
    assert.strictEqual(notFound.message, 'command "node" not found on PATH (/usr/bin)')
    assert.strictEqual(
      SpawnFailed.because({ ...base, command: "./run.sh", stage: "exec", code: "ENOENT" }).message,
      'command "./run.sh" does not exist'
    )
    assert.strictEqual(
      SpawnFailed.because({ ...base, stage: "exec", code: "EACCES" }).message,
      'command "node" is not executable (permission denied)'
    )
    assert.strictEqual(
      SpawnFailed.because({ ...base, stage: "cwd", code: "ENOENT" }).message,
      'working directory "/f/agents/a1" does not exist'
    )
    assert.strictEqual(
      SpawnFailed.because({ ...base, stage: "cwd", code: "ENOTDIR" }).message,
      'working directory "/f/agents/a1" is not a directory'
    )
    assert.strictEqual(
      SpawnFailed.because({ ...base, stage: "log", path: "/f/run/a1.log", code: "ENOSPC" }).message,
      'cannot open log file "/f/run/a1.log": no space left on device'
    )
  })

  it("signals: refused by us, refused by the OS, or the target is gone", () => {
    assert.strictEqual(
      SignalDenied.notAnAgent("process group", 1, "SIGTERM").message,
      "refusing to send SIGTERM to process group 1: not an agent's id"
    )
    const denied = SignalDenied.fromCause("process", 42, "SIGKILL", errno("EPERM", "kill EPERM"))
    assert.deepInclude(denied, { pid: 42, signal: "SIGKILL", refusedBy: "os", code: "EPERM" })
    assert.strictEqual(denied.message, "cannot send SIGKILL to process 42: operation not permitted")
    assert.strictEqual(ProcessGone.at("process", 7, "SIGTERM").message, "cannot send SIGTERM: process 7 does not exist")
  })

  it("ProbeFailed names what was read and where from", () => {
    const e = ProbeFailed.fromCause("/proc", "the process table", errno("EACCES", "EACCES: permission denied"))
    assert.deepInclude(e, { source: "/proc", what: "the process table", code: "EACCES" })
    assert.strictEqual(e.message, "cannot read the process table from /proc: permission denied")
  })

  it("BuildFailed: an exit code, or the signal that killed the step", () => {
    const step = { argv: ["bash", "build.sh"], cwd: "/f", agent: null }
    const exited = BuildFailed.forStep(step, { exitCode: 3, signal: null })
    assert.deepInclude(exited, { command: "bash build.sh", cwd: "/f", exitCode: 3, signal: null })
    assert.strictEqual(exited.message, "build `bash build.sh` in /f exited with code 3")
    const killed = BuildFailed.forStep(step, { exitCode: null, signal: "SIGKILL" })
    assert.strictEqual(killed.message, "build `bash build.sh` in /f was killed by SIGKILL")
  })

  it("RootInvalid: a missing root, a file, an unreadable one", () => {
    assert.match(RootInvalid.at("/x/nope", "ENOENT").message, /^the fleet root \/x\/nope does not exist/)
    assert.strictEqual(RootInvalid.at("/x/file", "ENOTDIR").message, "the fleet root /x/file is not a directory")
    assert.strictEqual(
      RootInvalid.at("/x/r", "EACCES").message,
      "the fleet root /x/r cannot be used: permission denied"
    )
  })

  it("launcher failures are one line", () => {
    const failed = LauncherFailedToStart.because({
      root: "/f",
      pid: 12,
      log: "/f/run/launcher.log",
      lastLines: ['{"at":1,"event":"launcher-started"}', "agentctl launcher: cannot lock /f/run/launcher.lock", ""],
      outcome: "exited (code 1)"
    })
    assert.strictEqual(
      failed.message,
      "the launcher for /f exited (code 1); /f/run/launcher.log ends with: agentctl launcher: cannot lock /f/run/launcher.lock"
    )
    assert.strictEqual(
      LauncherSurvived.after(12, "SIGKILL", 10_000).message,
      "the launcher (pid 12) is still running 10 s after SIGKILL"
    )
  })

  it("errors cross the API as JSON and back, fields and cause included", () => {
    const e = FileError.fromCause("/f/a", "read", errno("EACCES", "EACCES: permission denied"))
    const json = Schema.encodeSync(FileError)(e)
    assert.deepInclude(json, { _tag: "FileError", path: "/f/a", code: "EACCES", message: e.message })
    const back = Schema.decodeUnknownSync(FileError)(JSON.parse(JSON.stringify(json)))
    assert.strictEqual(back.message, e.message)
    assert.strictEqual(back.code, "EACCES")
  })
})
