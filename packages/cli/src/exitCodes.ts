/**
 * Exit codes, in one place. Scripts can tell "you typed it wrong" from "it does not exist"
 * from "it failed".
 */
export const ExitCode = {
  ok: 0,
  /** An action failed (spawn error, signal refused, build failed, invalid configs in `validate`). */
  failed: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** No agent with that id. */
  notFound: 3,
  /** A config file (or agentctl.yaml, or a .env) is invalid. */
  invalidConfig: 4
} as const

const byTag: Record<string, number> = {
  AgentNotFound: ExitCode.notFound,
  ConfigInvalid: ExitCode.invalidConfig,
  UsageError: ExitCode.usage,
  ShowHelp: ExitCode.usage
}

export const exitCodeFor = (tag: string | undefined): number =>
  tag === undefined ? ExitCode.failed : (byTag[tag] ?? ExitCode.failed)
