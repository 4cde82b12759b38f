import type * as AgentDataErrors from "@agentctl/core/AgentData"
import type * as CoreErrors from "@agentctl/core/Errors"
import type * as ApiErrors from "@agentctl/api/ApiErrors"
import type { CliError } from "effect/cli"

/**
 * Exit codes, in one place. Scripts can tell "you typed it wrong" from "it does not exist"
 * from "it failed".
 */
export const ExitCode = {
  ok: 0,
  /** An action failed (spawn error, signal refused, build failed, the launcher did not answer, ...). */
  failed: 1,
  /**
   * Bad flags or arguments (an id that cannot be an agent's, a bad duration), a fleet root that is
   * not a directory, or a file `init`/`add` would overwrite or an id `add` would reuse.
   */
  usage: 2,
  /** No agent with that id. */
  notFound: 3,
  /** A config file (or agentctl.yaml, or a .env) is invalid. */
  invalidConfig: 4,
  /** Interrupted (Ctrl-C, SIGTERM), as shells report a SIGINT. */
  interrupted: 130
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** The error classes a module exports (its tagged Error subclasses), as instances. */
type ErrorsOf<Module> = {
  [K in keyof Module]: Module[K] extends abstract new (...args: never) => infer I
    ? I extends Error & { readonly _tag: string }
      ? I
      : never
    : never
}[keyof Module]

/**
 * Every error tag the CLI can meet: core's (every class in Errors.ts and AgentData.ts, found by
 * the compiler, so a new error class does not compile until it has a line below), the API
 * client's, and effect/cli's parse errors.
 */
export type ErrorTag =
  | ErrorsOf<typeof CoreErrors>["_tag"]
  | ErrorsOf<typeof AgentDataErrors>["_tag"]
  | ErrorsOf<typeof ApiErrors>["_tag"]
  | CliError.CliError["_tag"]

const byTag: { readonly [Tag in ErrorTag]: ExitCode } = {
  // core
  AgentNotFound: ExitCode.notFound,
  ConfigInvalid: ExitCode.invalidConfig,
  UsageError: ExitCode.usage,
  RootInvalid: ExitCode.usage,
  // init and add refuse to overwrite a file or reuse an id: nothing was changed, ask again differently
  FileExists: ExitCode.usage,
  AgentIdTaken: ExitCode.usage,
  AlreadyRunning: ExitCode.failed,
  NotRunning: ExitCode.failed,
  SpawnFailed: ExitCode.failed,
  ProcessGone: ExitCode.failed,
  SignalDenied: ExitCode.failed,
  ProbeFailed: ExitCode.failed,
  FileError: ExitCode.failed,
  BuildFailed: ExitCode.failed,
  LauncherRunning: ExitCode.failed,
  LauncherNotRunning: ExitCode.failed,
  LauncherFailedToStart: ExitCode.failed,
  LauncherUnreachable: ExitCode.failed,
  LauncherSurvived: ExitCode.failed,
  LauncherActive: ExitCode.failed,
  FleetLocked: ExitCode.failed,
  DatabaseBusy: ExitCode.failed,
  UnsafePath: ExitCode.failed,
  // the API's own (a launcher answering with them)
  BadRequest: ExitCode.usage,
  // refused before it was read: too big, not JSON, headers too large (the CLI never sends these)
  PayloadTooLarge: ExitCode.usage,
  UnsupportedMediaType: ExitCode.usage,
  HeaderTooLarge: ExitCode.usage,
  Unauthorized: ExitCode.failed,
  RouteNotFound: ExitCode.failed,
  StartFailed: ExitCode.failed,
  InternalError: ExitCode.failed,
  // effect/cli: the parse errors are usage errors; ShowHelp without errors is `--help` (main.ts)
  ShowHelp: ExitCode.usage,
  UnrecognizedOption: ExitCode.usage,
  MissingOption: ExitCode.usage,
  MissingArgument: ExitCode.usage,
  UnexpectedArgument: ExitCode.usage,
  InvalidValue: ExitCode.usage,
  UnknownSubcommand: ExitCode.usage,
  ValidationError: ExitCode.usage,
  // two commands defining one flag: our bug, not the user's
  DuplicateOption: ExitCode.failed,
  UserError: ExitCode.failed
}

const isErrorTag = (tag: string): tag is ErrorTag => Object.hasOwn(byTag, tag)

/** The exit code for a failure; anything without a known tag is a failure (1). */
export const exitCodeFor = (error: unknown): ExitCode => {
  const tag = typeof error === "object" && error !== null && "_tag" in error ? error._tag : undefined
  return typeof tag === "string" && isErrorTag(tag) ? byTag[tag] : ExitCode.failed
}
