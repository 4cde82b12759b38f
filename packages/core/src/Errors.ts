import * as Schema from "effect/Schema"
import { errnoText, errorCode } from "./errno.ts"
import { printable, quoted } from "./printable.ts"

/**
 * Every failure a user can meet, tagged, with the fields they need to act: the errno `code`,
 * the `path`, `cwd`, `signal` or pid involved, and the underlying `cause` where there is one.
 * `message` is a field (the API's JSON errors promise `_tag` + `message`), but it is never
 * written at a call site: each class builds it from its fields in one static constructor.
 * Anything a user typed or the OS printed goes through `printable` on its way into a message.
 *
 * The CLI maps tags to exit codes in one place (cli/src/exitCodes.ts, exhaustive over this
 * module) and the API maps them to HTTP statuses in its definition (`httpApiStatus`): 4xx for
 * what the request or the agent's state is (a command that cannot start, a pid we may not
 * signal: 409), 503 for what the host refused (a file, the process table), and 500 only for
 * agentctl's own bugs.
 */

/** The errno of the failed call (`ENOENT`, `EACCES`, ...); null when the failure had none. */
const Errno = Schema.NullOr(Schema.String)

/** The failure underneath, kept for debugging (`AGENTCTL_DEBUG=1` prints it); never in `message`. */
const Cause = Schema.optionalKey(Schema.Defect())

const firstLine = (text: string) => text.split("\n", 1)[0] ?? ""

/** The errno of `cause`, and its own words only when the errno does not speak for itself. */
const codeAndDetail = (cause: unknown): { readonly code: string | null; readonly detail: string | null } => {
  const code = errorCode(cause) ?? null
  if (errnoText(code) !== undefined) return { code, detail: null }
  const said = cause instanceof Error ? cause.message : String(cause)
  return { code, detail: printable(firstLine(said)) }
}

/** Why, in words: what we were told (`detail`), else what the errno means. */
const reasonOf = (code: string | null, detail: string | null): string =>
  detail ?? errnoText(code) ?? code ?? "unknown error"

const withCause = (cause: unknown) => (cause === undefined ? {} : { cause })

export class AgentNotFound extends Schema.TaggedError<AgentNotFound>()(
  "AgentNotFound",
  {
    id: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 404 }
) {
  static forId(id: string, known: ReadonlyArray<string> = []) {
    const hint = known.length === 0 ? "" : ` (known: ${known.slice(0, 8).join(", ")}${known.length > 8 ? ", …" : ""})`
    return new AgentNotFound({ id, message: `no agent with id ${quoted(id)}${hint}` })
  }
}

export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()(
  "ConfigInvalid",
  {
    file: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 400 }
) {
  /** `problem` is the parser's: it names the file and the line or field (`file: run.command: Missing key`). */
  static because(file: string, problem: string) {
    return new ConfigInvalid({ file, message: printable(problem) })
  }

  static atLine(file: string, line: number, problem: string) {
    return ConfigInvalid.because(file, `${file}:${line}: ${problem}`)
  }

  static vanished(file: string) {
    return ConfigInvalid.because(file, `${file} vanished`)
  }
}

export class AlreadyRunning extends Schema.TaggedError<AlreadyRunning>()(
  "AlreadyRunning",
  {
    id: Schema.String,
    pid: Schema.Int,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static withPid(id: string, pid: number) {
    return new AlreadyRunning({ id, pid, message: `${id} is already running (pid ${pid})` })
  }
}

export class NotRunning extends Schema.TaggedError<NotRunning>()(
  "NotRunning",
  {
    id: Schema.String,
    /** What could not be done to it. */
    action: Schema.Literals(["stop", "kill"]),
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static nothingTo(action: "stop" | "kill", id: string) {
    return new NotRunning({ id, action, message: `${id} is not running; nothing to ${action}` })
  }
}

/** What a process needs before it runs: a usable working directory, its log file, then execve. */
export const SpawnStage = Schema.Literals(["cwd", "log", "exec"])
export type SpawnStage = typeof SpawnStage.Type

/** Where a spawn failed: whose, what, where, and at which stage (the fields a caller knows before the errno). */
interface SpawnSite {
  readonly id: string
  readonly command: string
  readonly cwd: string
  readonly stage: SpawnStage
  readonly path?: string | null
  readonly searchPath?: string | null
}

export class SpawnFailed extends Schema.TaggedError<SpawnFailed>()(
  "SpawnFailed",
  {
    /** The agent; "" for a build step. */
    id: Schema.String,
    command: Schema.String,
    cwd: Schema.String,
    stage: SpawnStage,
    /** The file that could not be used at stage "log". */
    path: Schema.NullOr(Schema.String),
    /** The PATH the command was looked up on (the request's env), null when it had none. */
    searchPath: Schema.NullOr(Schema.String),
    code: Errno,
    detail: Schema.NullOr(Schema.String),
    cause: Cause,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static because(
    fields: SpawnSite & { readonly code: string | null; readonly detail?: string | null; readonly cause?: unknown }
  ) {
    const { command, cwd, stage, code } = fields
    const path = fields.path ?? null
    const searchPath = fields.searchPath ?? null
    const detail = fields.detail ?? null
    const reason = reasonOf(code, detail)
    const message =
      stage === "cwd"
        ? code === "ENOENT"
          ? `working directory ${quoted(cwd)} does not exist`
          : code === "ENOTDIR"
            ? `working directory ${quoted(cwd)} is not a directory`
            : `cannot use working directory ${quoted(cwd)}: ${reason}`
        : stage === "log"
          ? `cannot open log file ${quoted(path ?? "")}: ${reason}`
          : code === "ENOENT"
            ? command.includes("/")
              ? `command ${quoted(command)} does not exist`
              : `command ${quoted(command)} not found on PATH (${searchPath === null ? "PATH is not set" : printable(searchPath)})`
            : code === "EACCES"
              ? `command ${quoted(command)} is not executable (permission denied)`
              : `cannot start ${quoted(command)}: ${reason}`
    return new SpawnFailed({
      id: fields.id,
      command,
      cwd,
      stage,
      path,
      searchPath,
      code,
      detail,
      message,
      ...withCause(fields.cause)
    })
  }

  static fromCause(fields: SpawnSite, cause: unknown) {
    return SpawnFailed.because({ ...fields, ...codeAndDetail(cause), cause })
  }
}

export const SignalTarget = Schema.Literals(["process", "process group"])
export type SignalTarget = typeof SignalTarget.Type

/** The process is gone (ESRCH): nothing to signal. */
export class ProcessGone extends Schema.TaggedError<ProcessGone>()("ProcessGone", {
  pid: Schema.Int,
  signal: Schema.String,
  target: SignalTarget,
  message: Schema.String
}) {
  static at(target: SignalTarget, pid: number, signal: string) {
    return new ProcessGone({ pid, signal, target, message: `cannot send ${signal}: ${target} ${pid} does not exist` })
  }
}

/** The signal was not sent: the OS refused it (EPERM), or we did, because the target can never be an agent. */
export class SignalDenied extends Schema.TaggedError<SignalDenied>()(
  "SignalDenied",
  {
    pid: Schema.Int,
    signal: Schema.String,
    target: SignalTarget,
    refusedBy: Schema.Literals(["agentctl", "os"]),
    code: Errno,
    detail: Schema.NullOr(Schema.String),
    cause: Cause,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  /** Never sent: pid/pgid <= 1 would hit init, or with kill(-1) every process we may signal. */
  static notAnAgent(target: SignalTarget, pid: number, signal: string) {
    return new SignalDenied({
      // A pid that is not even an integer is shown as 0: refused all the same.
      pid: Number.isSafeInteger(pid) ? pid : 0,
      signal,
      target,
      refusedBy: "agentctl",
      code: null,
      detail: null,
      message: `refusing to send ${signal} to ${target} ${pid}: not an agent's id`
    })
  }

  static fromCause(target: SignalTarget, pid: number, signal: string, cause: unknown) {
    const { code, detail } = codeAndDetail(cause)
    return new SignalDenied({
      pid,
      signal,
      target,
      refusedBy: "os",
      code,
      detail,
      message: `cannot send ${signal} to ${target} ${pid}: ${reasonOf(code, detail)}`,
      cause
    })
  }
}

/** Reading the process table failed (no /proc, no ps). */
export class ProbeFailed extends Schema.TaggedError<ProbeFailed>()(
  "ProbeFailed",
  {
    /** Where it was read from: "/proc", or the ps command line. */
    source: Schema.String,
    /** What was being read: "the process table", "the usage of pid 12", ... */
    what: Schema.String,
    code: Errno,
    detail: Schema.NullOr(Schema.String),
    cause: Cause,
    message: Schema.String
  },
  { httpApiStatus: 503 }
) {
  static because(fields: {
    readonly source: string
    readonly what: string
    readonly code: string | null
    readonly detail: string | null
    readonly cause?: unknown
  }) {
    const { source, what, code, detail } = fields
    return new ProbeFailed({
      source,
      what,
      code,
      detail,
      message: `cannot read ${what} from ${source}: ${reasonOf(code, detail)}`,
      ...withCause(fields.cause)
    })
  }

  static fromCause(source: string, what: string, cause: unknown) {
    return ProbeFailed.because({ source, what, ...codeAndDetail(cause), cause })
  }
}

/** A file could not be read, written, created, removed, locked or parsed. */
export class FileError extends Schema.TaggedError<FileError>()(
  "FileError",
  {
    path: Schema.String,
    /** What we tried: "read", "write", "create folder", "remove", "lock", "parse", ... */
    operation: Schema.String,
    code: Errno,
    /** Why, when the errno does not say it (a parse error, a tool that is missing). */
    detail: Schema.NullOr(Schema.String),
    cause: Cause,
    message: Schema.String
  },
  { httpApiStatus: 503 }
) {
  static because(
    path: string,
    operation: string,
    fields: { readonly code: string | null; readonly detail: string | null; readonly cause?: unknown }
  ) {
    const { code, detail } = fields
    return new FileError({
      path,
      operation,
      code,
      detail,
      message: `cannot ${operation} ${printable(path)}: ${reasonOf(code, detail)}`,
      ...withCause(fields.cause)
    })
  }

  /** From a failed fs call: its errno, and its own words only when the errno has none. */
  static fromCause(path: string, operation: string, cause: unknown) {
    return FileError.because(path, operation, { ...codeAndDetail(cause), cause })
  }
}

export class BuildFailed extends Schema.TaggedError<BuildFailed>()(
  "BuildFailed",
  {
    /** The build's argv, joined with spaces for display. */
    command: Schema.String,
    cwd: Schema.String,
    /** The agent whose folder it ran in; null for the fleet-wide build. */
    agent: Schema.NullOr(Schema.String),
    /** null when it was killed by a signal. */
    exitCode: Schema.NullOr(Schema.Int),
    signal: Schema.NullOr(Schema.String),
    message: Schema.String
  },
  { httpApiStatus: 500 }
) {
  static forStep(
    step: { readonly argv: ReadonlyArray<string>; readonly cwd: string; readonly agent: string | null },
    exit: { readonly exitCode: number | null; readonly signal: string | null }
  ) {
    const command = step.argv.join(" ")
    const how =
      exit.exitCode !== null ? `exited with code ${exit.exitCode}` : `was killed by ${exit.signal ?? "a signal"}`
    return new BuildFailed({
      command,
      cwd: step.cwd,
      agent: step.agent,
      exitCode: exit.exitCode,
      signal: exit.signal,
      message: `build \`${printable(command)}\` in ${printable(step.cwd)} ${how}`
    })
  }
}

export class UsageError extends Schema.TaggedError<UsageError>()(
  "UsageError",
  {
    message: Schema.String
  },
  { httpApiStatus: 400 }
) {}

/** The fleet root (`--root`, $AGENTCTL_ROOT or the current directory) is not a directory we can use. */
export class RootInvalid extends Schema.TaggedError<RootInvalid>()(
  "RootInvalid",
  {
    root: Schema.String,
    code: Errno,
    message: Schema.String
  },
  { httpApiStatus: 400 }
) {
  static at(root: string, code: string | null) {
    const why =
      code === "ENOENT"
        ? "does not exist (agentctl never creates it: make the folder first)"
        : code === "ENOTDIR"
          ? "is not a directory"
          : `cannot be used: ${errnoText(code) ?? code ?? "unknown error"}`
    return new RootInvalid({ root, code, message: `the fleet root ${printable(root)} ${why}` })
  }

  /** `init` makes the root itself, but one folder only: a missing parent is more likely a typo than a wish. */
  static cannotCreate(root: string, code: string | null) {
    const why =
      code === "ENOENT"
        ? "its parent folder does not exist (init creates the fleet's folder, not the path to it)"
        : (errnoText(code) ?? code ?? "unknown error")
    return new RootInvalid({ root, code, message: `cannot create the fleet root ${printable(root)}: ${why}` })
  }
}

/** A file `init` or `add` would create is there already: they never overwrite what someone wrote. */
export class FileExists extends Schema.TaggedError<FileExists>()(
  "FileExists",
  {
    path: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static at(path: string) {
    return new FileExists({ path, message: `${printable(path)} already exists; agentctl does not overwrite it` })
  }
}

/** `add` of an id that another config of the fleet claims already (`file`: that config). */
export class AgentIdTaken extends Schema.TaggedError<AgentIdTaken>()(
  "AgentIdTaken",
  {
    id: Schema.String,
    file: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static by(id: string, file: string) {
    return new AgentIdTaken({ id, file, message: `agent id ${quoted(id)} is already used by ${printable(file)}` })
  }
}

/** Another launcher already supervises this fleet (it holds the launcher lock); pid null while it is still starting. */
export class LauncherRunning extends Schema.TaggedError<LauncherRunning>()(
  "LauncherRunning",
  {
    root: Schema.String,
    pid: Schema.NullOr(Schema.Int),
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static forRoot(root: string, pid: number | null) {
    return new LauncherRunning({
      root,
      pid,
      message:
        pid === null
          ? `another launcher is starting for ${printable(root)}`
          : `a launcher already supervises ${printable(root)} (pid ${pid}); stop it first: agentctl launcher stop`
    })
  }
}

/** The command needs a running launcher and none runs. */
export class LauncherNotRunning extends Schema.TaggedError<LauncherNotRunning>()(
  "LauncherNotRunning",
  {
    root: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static forRoot(root: string) {
    return new LauncherNotRunning({
      root,
      message: `no launcher is running for ${printable(root)} (agentctl launcher start)`
    })
  }
}

/** `launcher start` started one, and it exited or never came up; its log says why. */
export class LauncherFailedToStart extends Schema.TaggedError<LauncherFailedToStart>()(
  "LauncherFailedToStart",
  {
    root: Schema.String,
    /** The launcher's pid, when it got one. */
    pid: Schema.NullOr(Schema.Int),
    log: Schema.String,
    /** How it ended: "exited (code 1)", "did not open its socket within 60 s", ... */
    outcome: Schema.String,
    /** The last lines of its log. */
    lastLines: Schema.Array(Schema.String),
    message: Schema.String
  },
  { httpApiStatus: 500 }
) {
  static because(fields: {
    readonly root: string
    readonly pid: number | null
    readonly log: string
    readonly lastLines: ReadonlyArray<string>
    readonly outcome: string
  }) {
    // One line: the last line of the log is where a launcher that dies says why.
    const last = fields.lastLines.findLast((l) => l.trim() !== "")
    const tail = last === undefined ? "" : `; ${printable(fields.log)} ends with: ${printable(last)}`
    return new LauncherFailedToStart({
      root: fields.root,
      pid: fields.pid,
      log: fields.log,
      outcome: fields.outcome,
      lastLines: [...fields.lastLines],
      message: `the launcher for ${printable(fields.root)} ${fields.outcome}${tail}`
    })
  }
}

/** A launcher is registered for the fleet but its control socket does not answer. */
export class LauncherUnreachable extends Schema.TaggedError<LauncherUnreachable>()(
  "LauncherUnreachable",
  {
    socket: Schema.String,
    pid: Schema.NullOr(Schema.Int),
    /** What the connection said (ECONNREFUSED, a timeout, ...). */
    cause: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 503 }
) {
  static at(socket: string, pid: number | null, cause: string) {
    const who = pid === null ? "the launcher" : `the launcher (pid ${pid})`
    return new LauncherUnreachable({
      socket,
      pid,
      cause,
      message: `${who} did not answer on ${printable(socket)}: ${printable(firstLine(cause))}`
    })
  }
}

/** A signal sent to the launcher and the launcher, by its pid and start time, still runs after the wait. */
export class LauncherSurvived extends Schema.TaggedError<LauncherSurvived>()(
  "LauncherSurvived",
  {
    pid: Schema.Int,
    signal: Schema.String,
    waitedMs: Schema.Int,
    message: Schema.String
  },
  { httpApiStatus: 500 }
) {
  static after(pid: number, signal: string, waitedMs: number) {
    const waited = waitedMs < 1000 ? `${waitedMs} ms` : `${Math.round(waitedMs / 1000)} s`
    return new LauncherSurvived({
      pid,
      signal,
      waitedMs,
      message: `the launcher (pid ${pid}) is still running ${waited} after ${signal}`
    })
  }
}

/**
 * A launcher supervises the fleet, so a command must go through it, not act on the OS itself.
 * Raised under the fleet lock when a launcher registered since the command chose daemonless.
 */
export class LauncherActive extends Schema.TaggedError<LauncherActive>()(
  "LauncherActive",
  {
    pid: Schema.Int,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static forPid(pid: number) {
    return new LauncherActive({ pid, message: `a launcher (pid ${pid}) supervises this fleet; ask it instead` })
  }
}

/** Another agentctl command has been changing the fleet for longer than we wait. */
export class FleetLocked extends Schema.TaggedError<FleetLocked>()(
  "FleetLocked",
  {
    file: Schema.String,
    /** Processes holding the lock, when the OS tells (Linux /proc/locks). */
    holders: Schema.Array(Schema.Int),
    waitedMs: Schema.Int,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {
  static after(file: string, holders: ReadonlyArray<number>, waitedMs: number) {
    const who = holders.length === 0 ? "another agentctl command" : `agentctl pid ${holders.join(", ")}`
    return new FleetLocked({
      file,
      holders: [...holders],
      waitedMs,
      message: `${who} has been changing this fleet for over ${Math.round(waitedMs / 1000)} s (it holds ${printable(file)}); try again when it is done`
    })
  }
}
