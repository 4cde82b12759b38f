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

/** Another launcher already supervises this fleet (its lock names a live pid with the same start time). */
export class LauncherRunning extends Schema.TaggedError<LauncherRunning>()(
  "LauncherRunning",
  {
    pid: Schema.Int,
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {}

/** The command needs a running launcher and none runs. */
export class LauncherNotRunning extends Schema.TaggedError<LauncherNotRunning>()(
  "LauncherNotRunning",
  {
    message: Schema.String
  },
  { httpApiStatus: 409 }
) {}
