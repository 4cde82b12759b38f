/**
 * Every error's message, branch by branch, as a user reads it; every error's HTTP status, as the
 * API's contract states it. The messages are the CLI's output and the API's `message`: a change
 * to one is a change users see, so each is spelled out here in full.
 */
import { assert, describe, it } from "@effect/vitest"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import { errnoText, errorCode } from "../src/errno.ts"
import {
  AgentIdTaken,
  AgentNotFound,
  AlreadyRunning,
  BuildFailed,
  ConfigInvalid,
  FileError,
  FileExists,
  FleetLocked,
  LauncherActive,
  LauncherFailedToStart,
  LauncherNotRunning,
  LauncherRunning,
  LauncherSurvived,
  LauncherUnreachable,
  NotRunning,
  ProbeFailed,
  ProcessGone,
  RootInvalid,
  SignalDenied,
  SpawnFailed,
  UsageError
} from "../src/Errors.ts"

const errno = (code: string, message: string) => Object.assign(new Error(message), { code })
const spawn = { id: "a", command: "node", cwd: "/f/agents/a" }
const nine = ["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"]

describe("error messages, branch by branch", () => {
  it.each<[string, { readonly message: string }, string]>([
    ["AgentNotFound, nothing known", AgentNotFound.forId("x"), 'no agent with id "x"'],
    ["AgentNotFound, the known ids", AgentNotFound.forId("x", ["b", "c"]), 'no agent with id "x" (known: b, c)'],
    [
      "AgentNotFound, eight known: all of them",
      AgentNotFound.forId("x", nine.slice(0, 8)),
      'no agent with id "x" (known: k1, k2, k3, k4, k5, k6, k7, k8)'
    ],
    [
      "AgentNotFound, nine known: the first eight and an ellipsis",
      AgentNotFound.forId("x", nine),
      'no agent with id "x" (known: k1, k2, k3, k4, k5, k6, k7, k8, …)'
    ],
    [
      "ConfigInvalid, the parser's words",
      ConfigInvalid.because("/f/c.yaml", "/f/c.yaml: run\tx"),
      "/f/c.yaml: run\\tx"
    ],
    ["ConfigInvalid at a line", ConfigInvalid.atLine("/f/.env", 3, "not a variable"), "/f/.env:3: not a variable"],
    ["ConfigInvalid, vanished", ConfigInvalid.vanished("/f/c.yaml"), "/f/c.yaml vanished"],
    ["AlreadyRunning", AlreadyRunning.withPid("a", 5), "a is already running (pid 5)"],
    ["NotRunning, stop", NotRunning.nothingTo("stop", "a"), "a is not running; nothing to stop"],
    ["NotRunning, kill", NotRunning.nothingTo("kill", "a"), "a is not running; nothing to kill"],
    [
      "SpawnFailed, a working directory we may not use",
      SpawnFailed.because({ ...spawn, stage: "cwd", code: "EACCES" }),
      'cannot use working directory "/f/agents/a": permission denied'
    ],
    [
      "SpawnFailed, a log file with no path",
      SpawnFailed.because({ ...spawn, stage: "log", code: "EROFS" }),
      'cannot open log file "": read-only file system'
    ],
    [
      "SpawnFailed, no PATH at all",
      SpawnFailed.because({ ...spawn, stage: "exec", code: "ENOENT", searchPath: null }),
      'command "node" not found on PATH (PATH is not set)'
    ],
    [
      "SpawnFailed, a PATH with a newline in it",
      SpawnFailed.because({ ...spawn, stage: "exec", code: "ENOENT", searchPath: "/bin\n/x" }),
      'command "node" not found on PATH (/bin\\n/x)'
    ],
    [
      "SpawnFailed, an errno without words",
      SpawnFailed.because({ ...spawn, stage: "exec", code: "E2BIG" }),
      'cannot start "node": E2BIG'
    ],
    [
      "SpawnFailed, what the failure said",
      SpawnFailed.because({ ...spawn, stage: "exec", code: null, detail: "out of pids" }),
      'cannot start "node": out of pids'
    ],
    [
      "SpawnFailed, nothing known",
      SpawnFailed.because({ ...spawn, stage: "exec", code: null }),
      'cannot start "node": unknown error'
    ],
    [
      "ProcessGone, a group",
      ProcessGone.at("process group", 7, "SIGTERM"),
      "cannot send SIGTERM: process group 7 does not exist"
    ],
    [
      "SignalDenied, not even an integer",
      SignalDenied.notAnAgent("process", 1.5, "SIGKILL"),
      "refusing to send SIGKILL to process 1.5: not an agent's id"
    ],
    [
      "SignalDenied by the OS, in its own words",
      SignalDenied.fromCause("process group", 9, "SIGTERM", new Error("kill failed\nat x")),
      "cannot send SIGTERM to process group 9: kill failed"
    ],
    [
      "ProbeFailed, what ps said",
      ProbeFailed.because({ source: "ps -e", what: "the usage of pid 3", code: null, detail: "ps: not found" }),
      "cannot read the usage of pid 3 from ps -e: ps: not found"
    ],
    [
      "ProbeFailed, nothing known",
      ProbeFailed.because({ source: "/proc", what: "the process table", code: null, detail: null }),
      "cannot read the process table from /proc: unknown error"
    ],
    [
      "FileError, an errno without words",
      FileError.because("/f/x", "lock", { code: "EWOULDBLOCK", detail: null }),
      "cannot lock /f/x: EWOULDBLOCK"
    ],
    [
      "FileError from a thrown string",
      FileError.fromCause("/f/x", "read", "disk on fire\nsecond line"),
      "cannot read /f/x: disk on fire"
    ],
    [
      "BuildFailed, no exit code and no signal",
      BuildFailed.forStep({ argv: ["make"], cwd: "/f\n", agent: "a" }, { exitCode: null, signal: null }),
      "build `make` in /f\\n was killed by a signal"
    ],
    [
      "BuildFailed, exit code 0 is still a code",
      BuildFailed.forStep({ argv: ["x"], cwd: "/f", agent: null }, { exitCode: 0, signal: "SIGTERM" }),
      "build `x` in /f exited with code 0"
    ],
    [
      "RootInvalid, missing",
      RootInvalid.at("/x/nope", "ENOENT"),
      "the fleet root /x/nope does not exist (agentctl never creates it: make the folder first)"
    ],
    ["RootInvalid, an errno without words", RootInvalid.at("/x", "EIO"), "the fleet root /x cannot be used: EIO"],
    ["RootInvalid, no errno", RootInvalid.at("/x", null), "the fleet root /x cannot be used: unknown error"],
    [
      "RootInvalid, init without a parent",
      RootInvalid.cannotCreate("/x/nope/f", "ENOENT"),
      "cannot create the fleet root /x/nope/f: its parent folder does not exist (init creates the fleet's folder, not the path to it)"
    ],
    ["RootInvalid, init refused", RootInvalid.cannotCreate("/x/f", "EIO"), "cannot create the fleet root /x/f: EIO"],
    [
      "FileExists",
      FileExists.at("/f/agents/a\n/config.yaml"),
      "/f/agents/a\\n/config.yaml already exists; agentctl does not overwrite it"
    ],
    [
      "AgentIdTaken",
      AgentIdTaken.by("a", "/f/agents/b/config.yaml"),
      'agent id "a" is already used by /f/agents/b/config.yaml'
    ],
    ["LauncherRunning, still starting", LauncherRunning.forRoot("/f", null), "another launcher is starting for /f"],
    [
      "LauncherRunning, with its pid",
      LauncherRunning.forRoot("/f", 3),
      "a launcher already supervises /f (pid 3); stop it first: agentctl launcher stop"
    ],
    ["LauncherNotRunning", LauncherNotRunning.forRoot("/f"), "no launcher is running for /f (agentctl launcher start)"],
    [
      "LauncherFailedToStart, an empty log",
      LauncherFailedToStart.because({ root: "/f", pid: null, log: "/f/l", lastLines: ["", "  "], outcome: "exited" }),
      "the launcher for /f exited"
    ],
    [
      "LauncherUnreachable, no pid; the first line of what the socket said",
      LauncherUnreachable.at("/f/run/launcher.sock", null, "ECONNREFUSED\nmore"),
      "the launcher did not answer on /f/run/launcher.sock: ECONNREFUSED"
    ],
    [
      "LauncherUnreachable, with its pid",
      LauncherUnreachable.at("/s", 8, "timeout"),
      "the launcher (pid 8) did not answer on /s: timeout"
    ],
    [
      "LauncherSurvived, under a second",
      LauncherSurvived.after(4, "SIGTERM", 999),
      "the launcher (pid 4) is still running 999 ms after SIGTERM"
    ],
    [
      "LauncherSurvived, a second",
      LauncherSurvived.after(4, "SIGTERM", 1000),
      "the launcher (pid 4) is still running 1 s after SIGTERM"
    ],
    [
      "LauncherSurvived, rounded",
      LauncherSurvived.after(4, "SIGKILL", 1500),
      "the launcher (pid 4) is still running 2 s after SIGKILL"
    ],
    ["LauncherActive", LauncherActive.forPid(4), "a launcher (pid 4) supervises this fleet; ask it instead"],
    [
      "FleetLocked, holders unknown",
      FleetLocked.after("/f/run/fleet.lock", [], 120_400),
      "another agentctl command has been changing this fleet for over 120 s (it holds /f/run/fleet.lock); try again when it is done"
    ],
    [
      "FleetLocked, the holders' pids",
      FleetLocked.after("/f/run/fleet.lock", [3, 4], 1500),
      "agentctl pid 3, 4 has been changing this fleet for over 2 s (it holds /f/run/fleet.lock); try again when it is done"
    ]
  ])("%s", (_name, error, message) => {
    assert.strictEqual(error.message, message)
  })

  it("the fields beside the message: defaults, copies, and no cause key when there is no cause", () => {
    const spawned = SpawnFailed.because({ ...spawn, stage: "exec", code: "EACCES" })
    assert.deepInclude(spawned, { path: null, searchPath: null, detail: null, code: "EACCES" })
    assert.isFalse("cause" in spawned)
    assert.isTrue("cause" in SpawnFailed.fromCause({ ...spawn, stage: "exec" }, errno("EACCES", "x")))
    assert.isFalse("cause" in ProbeFailed.because({ source: "/proc", what: "t", code: null, detail: null }))
    assert.isFalse("cause" in FileError.because("/f", "read", { code: null, detail: null }))
    assert.deepInclude(SignalDenied.notAnAgent("process", 1.5, "SIGKILL"), {
      pid: 0,
      refusedBy: "agentctl",
      code: null
    })
    assert.deepInclude(SignalDenied.notAnAgent("process", -1, "SIGKILL"), { pid: -1 })
    const lines = ["a", "b"]
    const failed = LauncherFailedToStart.because({ root: "/f", pid: 2, log: "/l", lastLines: lines, outcome: "x" })
    assert.deepInclude(failed, { root: "/f", pid: 2, log: "/l", outcome: "x" })
    assert.deepStrictEqual(failed.lastLines, lines)
    assert.notStrictEqual(failed.lastLines, lines)
    const holders = [3]
    const locked = FleetLocked.after("/f", holders, 10)
    assert.deepInclude(locked, { file: "/f", waitedMs: 10 })
    assert.notStrictEqual(locked.holders, holders)
    assert.deepInclude(LauncherUnreachable.at("/s", 8, "a\nb"), { socket: "/s", pid: 8, cause: "a\nb" })
    assert.deepInclude(LauncherSurvived.after(4, "SIGTERM", 999), { pid: 4, signal: "SIGTERM", waitedMs: 999 })
    assert.deepInclude(
      BuildFailed.forStep({ argv: ["a", "b"], cwd: "/f", agent: "x" }, { exitCode: 2, signal: null }),
      {
        command: "a b",
        agent: "x",
        exitCode: 2,
        signal: null
      }
    )
    assert.deepInclude(RootInvalid.at("/x", "EIO"), { root: "/x", code: "EIO" })
    assert.deepInclude(NotRunning.nothingTo("kill", "a"), { id: "a", action: "kill" })
    assert.deepInclude(AlreadyRunning.withPid("a", 5), { id: "a", pid: 5 })
    assert.deepInclude(ConfigInvalid.atLine("/f/.env", 3, "x"), { file: "/f/.env" })
  })

  it("an errno with words gives no detail; one without keeps what the failure said", () => {
    assert.deepInclude(FileError.fromCause("/f", "read", errno("ENOENT", "ENOENT: open")), { detail: null })
    assert.deepInclude(FileError.fromCause("/f", "read", errno("EIO", "EIO: i/o error")), {
      code: "EIO",
      detail: "EIO: i/o error"
    })
    assert.deepInclude(FileError.fromCause("/f", "read", { code: 5 }), { code: null, detail: "[object Object]" })
  })
})

describe("errno", () => {
  it.each<[string, string]>([
    ["EACCES", "permission denied"],
    ["EADDRINUSE", "address already in use"],
    ["EADDRNOTAVAIL", "address not available"],
    ["EBUSY", "resource busy"],
    ["EEXIST", "already exists"],
    ["EISDIR", "is a directory"],
    ["ELOOP", "too many levels of symbolic links"],
    ["EMFILE", "too many open files"],
    ["ENAMETOOLONG", "name too long"],
    ["ENOENT", "no such file or directory"],
    ["ENOSPC", "no space left on device"],
    ["ENOTDIR", "not a directory"],
    ["ENOTEMPTY", "directory not empty"],
    ["EPERM", "operation not permitted"],
    ["EROFS", "read-only file system"],
    ["ESRCH", "no such process"]
  ])("%s is %s", (code, words) => {
    assert.strictEqual(errnoText(code), words)
  })

  it("no words for an unknown code, none, or an inherited key", () => {
    assert.isUndefined(errnoText("EIO"))
    assert.isUndefined(errnoText(null))
    assert.isUndefined(errnoText(undefined))
    assert.isUndefined(errnoText("toString"))
  })

  it.each<[string, unknown, string | undefined]>([
    ["a code", errno("EACCES", ""), "EACCES"],
    ["a numeric code", { code: 13 }, undefined],
    ["no code", new Error("x"), undefined],
    ["null", null, undefined],
    ["a string", "EACCES", undefined]
  ])("errorCode of %s", (_name, error, code) => {
    assert.strictEqual(errorCode(error), code)
  })
})

describe("HTTP statuses: what the request or the agent's state is 4xx, the host 503, our bugs 500", () => {
  const statuses: ReadonlyArray<[string, Schema.Top, string]> = [
    ["AgentNotFound", AgentNotFound, "404"],
    ["ConfigInvalid", ConfigInvalid, "400"],
    ["UsageError", UsageError, "400"],
    ["RootInvalid", RootInvalid, "400"],
    ["AlreadyRunning", AlreadyRunning, "409"],
    ["NotRunning", NotRunning, "409"],
    ["SpawnFailed", SpawnFailed, "409"],
    ["SignalDenied", SignalDenied, "409"],
    ["LauncherRunning", LauncherRunning, "409"],
    ["LauncherNotRunning", LauncherNotRunning, "409"],
    ["LauncherActive", LauncherActive, "409"],
    ["FleetLocked", FleetLocked, "409"],
    ["FileExists", FileExists, "409"],
    ["AgentIdTaken", AgentIdTaken, "409"],
    ["ProbeFailed", ProbeFailed, "503"],
    ["FileError", FileError, "503"],
    ["LauncherUnreachable", LauncherUnreachable, "503"],
    ["BuildFailed", BuildFailed, "500"],
    ["LauncherFailedToStart", LauncherFailedToStart, "500"],
    ["LauncherSurvived", LauncherSurvived, "500"]
  ]
  const [first, ...rest] = statuses.map(([name, error]) =>
    HttpApiEndpoint.post(name, `/${name}`, { success: Schema.String, error })
  )
  const group = HttpApiGroup.make("errors").add(first!, ...rest)
  const paths = OpenApi.fromApi(HttpApi.make("errors").add(group)).paths

  it.each(statuses)("%s answers %s", (name, _error, status) => {
    assert.deepStrictEqual(Object.keys(paths[`/${name}`]?.post?.responses ?? {}), ["200", status])
  })
})
