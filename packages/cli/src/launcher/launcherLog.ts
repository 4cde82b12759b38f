import { LogNotice } from "@agentctl/core/LogNotice"
import { ReloadOutcome } from "@agentctl/core/Outcomes"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/*
 * What the launcher writes about itself in run/launcher.log (beside them, one AgentEvent line
 * per agent state change): defined once, encoded by the launcher (runLauncher.ts) and decoded by
 * `launcher start` (startLauncher.ts), which learns from it how the TCP listener fared.
 */

/** When the launcher wrote the line (unix ms); first in every line. */
const at = Schema.Number

export const LauncherLogLine = Schema.Union([
  Schema.Struct({
    at,
    event: Schema.Literal("launcher-waiting"),
    holders: Schema.Array(Schema.Int),
    message: Schema.String
  }),
  Schema.Struct({
    at,
    event: Schema.Literal("launcher-started"),
    pid: Schema.Int,
    root: Schema.String,
    version: Schema.String
  }),
  /** A listener could not start; `code` is the errno of the failure underneath (EADDRINUSE, EACCES, ...). */
  Schema.Struct({
    at,
    event: Schema.Literal("api-failed"),
    listener: Schema.Literals(["tcp", "socket"]),
    address: Schema.String,
    code: Schema.NullOr(Schema.String),
    message: Schema.String
  }),
  Schema.Struct({ at, event: Schema.Literal("launcher-ready"), socket: Schema.String, api: Schema.String }),
  Schema.Struct({ at, event: Schema.Literal("reloaded"), ...ReloadOutcome.fields }),
  Schema.Struct({ at, event: Schema.Literal("reload-failed"), message: Schema.String }),
  Schema.Struct({ at, event: Schema.Literal("launcher-stopping") }),
  Schema.Struct({ at, event: Schema.Literal("launcher-stopped"), agents: Schema.Int }),
  Schema.Struct({ at, event: Schema.Literal("stop-failed"), message: Schema.String }),
  ...LogNotice.members.map((notice) => Schema.Struct({ at, ...notice.fields }))
])
export type LauncherLogLine = typeof LauncherLogLine.Type

/** A log line before the launcher stamps it with the time. */
export type LauncherLogEntry = LauncherLogLine extends infer L
  ? L extends LauncherLogLine
    ? Omit<L, "at">
    : never
  : never

const encodeLine = Schema.encodeSync(Schema.fromJsonString(LauncherLogLine))
const decodeLine = Schema.decodeUnknownOption(Schema.fromJsonString(LauncherLogLine))

/** The JSON line the launcher writes. */
export const formatLine = (time: number, entry: LauncherLogEntry): string => encodeLine({ at: time, ...entry })

/** The launcher's own lines among `lines`; agent events and anything else (a crash's stderr) are skipped. */
export const parseLines = (lines: ReadonlyArray<string>): ReadonlyArray<LauncherLogLine> =>
  lines.flatMap((line) => Option.toArray(decodeLine(line)))

export type ListenerFailure = Extract<LauncherLogLine, { readonly event: "api-failed" }>

/** The TCP listener's failure, if the launcher with this pid logged one since it started. */
export const tcpFailureOf = (lines: ReadonlyArray<LauncherLogLine>, pid: number): ListenerFailure | null => {
  const start = lines.findLastIndex((l) => l.event === "launcher-started" && l.pid === pid)
  if (start === -1) return null
  return lines.slice(start).find((l): l is ListenerFailure => l.event === "api-failed" && l.listener === "tcp") ?? null
}
