import * as Schema from "effect/Schema"

/**
 * Every failure a user can meet, tagged, with the fields they need to act and a `message`
 * that reads as a sentence. The CLI maps tags to exit codes in one place (cli/src/exitCodes.ts)
 * and the API maps them to HTTP statuses in its definition: 4xx for what the request or the
 * agent's state is, 503 for what the host refused (a file, the process table), and 500 only for
 * agentctl's own bugs (the API's InternalError).
 */

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
    return new AgentNotFound({ id, message: `no agent with id "${id}"${hint}` })
  }
}

export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()(
  "ConfigInvalid",
  {
    file: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 400 }
) {}

export class AlreadyRunning extends Schema.TaggedError<AlreadyRunning>()(
  "AlreadyRunning",
  {
    id: Schema.String,
    pid: Schema.Int,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {}

export class NotRunning extends Schema.TaggedError<NotRunning>()(
  "NotRunning",
  {
    id: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {}

/** The agent's process could not be started (command not found, bad cwd): 409, the agent's config is the problem. */
export class SpawnFailed extends Schema.TaggedError<SpawnFailed>()(
  "SpawnFailed",
  {
    id: Schema.String,
    command: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {}

/** The process is gone (ESRCH): nothing to signal. */
export class ProcessGone extends Schema.TaggedError<ProcessGone>()("ProcessGone", {
  pid: Schema.Int,
  message: Schema.String
}) {}

/** EPERM: the pid belongs to someone we may not signal (409: the agent's process, not the server, is the problem). */
export class SignalDenied extends Schema.TaggedError<SignalDenied>()(
  "SignalDenied",
  {
    pid: Schema.Int,
    signal: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {}

/** Reading the process table failed (no /proc, no ps): 503, the host cannot be observed right now. */
export class ProbeFailed extends Schema.TaggedError<ProbeFailed>()(
  "ProbeFailed",
  {
    message: Schema.String
  },
  { httpApiStatus: 503 }
) {}

/** A file under the fleet root could not be read or written (503: the host refused, the message says why). */
export class FileError extends Schema.TaggedError<FileError>()(
  "FileError",
  {
    file: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 503 }
) {}

export class BuildFailed extends Schema.TaggedError<BuildFailed>()(
  "BuildFailed",
  {
    command: Schema.String,
    exitCode: Schema.NullOr(Schema.Int),
    message: Schema.String
  },
  { httpApiStatus: 500 }
) {}

export class UsageError extends Schema.TaggedError<UsageError>()(
  "UsageError",
  {
    message: Schema.String
  },
  { httpApiStatus: 400 }
) {}

/** Another launcher already supervises this fleet (it holds the launcher lock); pid null while it is still starting. */
export class LauncherRunning extends Schema.TaggedError<LauncherRunning>()(
  "LauncherRunning",
  {
    pid: Schema.NullOr(Schema.Int),
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {}

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
    return new LauncherNotRunning({ root, message: `no launcher is running for ${root} (agentctl launcher start)` })
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
    readonly why: string
  }) {
    const tail = fields.lastLines.length === 0 ? "" : `; last lines of ${fields.log}:\n${fields.lastLines.join("\n")}`
    return new LauncherFailedToStart({
      root: fields.root,
      pid: fields.pid,
      log: fields.log,
      lastLines: [...fields.lastLines],
      message: `the launcher for ${fields.root} ${fields.why}${tail}`
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
    return new LauncherUnreachable({ socket, pid, cause, message: `${who} did not answer on ${socket}: ${cause}` })
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
      message: `${who} has been changing this fleet for over ${Math.round(waitedMs / 1000)} s (it holds ${file}); try again when it is done`
    })
  }
}
