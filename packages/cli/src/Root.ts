import * as Daemonless from "@agentctl/core/Daemonless"
import { AgentId, agentIdRule } from "@agentctl/core/AgentId"
import type { Targets } from "@agentctl/core/Control"
import { parseDurationMs } from "@agentctl/core/Duration"
import { parseTimeBound, timeBoundExpected } from "@agentctl/core/logTime"
import { RootInvalid, UsageError } from "@agentctl/core/Errors"
import { errorCode } from "@agentctl/shell/errno"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Argument, Command, Flag } from "effect/cli"
import { readLauncherSync } from "@agentctl/shell/LauncherLock"
import { statSync } from "node:fs"
import { osLayer, resolveRoot } from "./FleetLayers.ts"
import { launcherPaths } from "./launcher/paths.ts"

/** The root command and its shared flags; every subcommand reads `--root`/`--json` from here. */
export const agentctl = Command.make("agentctl").pipe(
  Command.withSharedFlags({
    root: Flag.String("root").pipe(
      Flag.optional,
      Flag.withDescription("the fleet's folder, which must exist (default: $AGENTCTL_ROOT, else the current directory)")
    ),
    json: Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("print JSON instead of text"))
  }),
  Command.withDescription("Run and watch a fleet of long-running agent programs")
)

/**
 * The fleet root must be a directory that exists: agentctl creates `run/` and `data/` inside it,
 * never the root itself, so a mistyped `--root` is refused instead of becoming an empty fleet.
 */
export const checkRoot = (root: string): Effect.Effect<string, RootInvalid> =>
  Effect.suspend(() => {
    try {
      return statSync(root).isDirectory() ? Effect.succeed(root) : Effect.fail(RootInvalid.at(root, "ENOTDIR"))
    } catch (error) {
      return Effect.fail(RootInvalid.at(root, errorCode(error) ?? null))
    }
  })

/** A word as a POSIX shell reads it back: as it is when it can be, else in single quotes. */
const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`

/**
 * `agentctl <words>` as the user would type it next for the fleet at `root`: with `--root` when
 * that is not the fleet a bare `agentctl` finds ($AGENTCTL_ROOT, else the current directory).
 */
export const nextCommand = (root: string, words: string): string =>
  root === resolveRoot(undefined) ? `agentctl ${words}` : `agentctl --root ${shellWord(root)} ${words}`

export const fleetRoot = Effect.flatMap(agentctl, (flags) => checkRoot(resolveRoot(Option.getOrUndefined(flags.root))))
export const jsonOutput = Effect.map(agentctl, (flags) => flags.json)

/**
 * The fleet's OS layers plus fleet control: through the launcher when one runs (its lock names a
 * live pid with the same start time), else daemonless, acting on the OS directly.
 */
export const fleetLayer = (root: string, daemonless = readLauncherSync(launcherPaths(root).runDir) === null) =>
  Layer.provideMerge(daemonless ? Daemonless.layer : launcherControl(root), osLayer(root))

/**
 * Control through the launcher's API, loaded only when a launcher runs: its HTTP client and the
 * API's schemas are half of what the CLI loads (build.mjs splits them into a chunk of their own).
 */
const launcherControl = (root: string) =>
  Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("./LauncherControl.ts")),
      (m) => m.layer(root)
    )
  )

/**
 * Run `effect` against the fleet at `--root`. A launcher that registered after this command
 * chose daemonless is found under the fleet lock, before anything changed (LauncherActive):
 * the command then runs again, through the launcher.
 */
export const inFleet = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(fleetRoot, (root) =>
    Effect.provide(effect, fleetLayer(root)).pipe(
      Effect.catchIf(
        (e): e is Extract<E, { readonly _tag: "LauncherActive" }> =>
          typeof e === "object" && e !== null && "_tag" in e && e._tag === "LauncherActive",
        () => Effect.provide(effect, fleetLayer(root, false))
      )
    )
  )

/*
 * Arguments and flags that more than one command takes, each validated once, while parsing:
 * a bad value is a usage error (exit 2) before anything looks at the fleet, so it gets the
 * same answer with a launcher or without one.
 */

const isAgentId = Schema.is(AgentId)

const agentIdArgument = Argument.String("id").pipe(Argument.filter(isAgentId, () => agentIdRule))

export const idArgument = agentIdArgument.pipe(Argument.withDescription("agent id"))

export const idsArgument = agentIdArgument.pipe(Argument.variadic(), Argument.withDescription("agent ids"))

export const allFlag = Flag.Boolean("all").pipe(Flag.withDefault(false), Flag.withDescription("every agent"))

export const toTargets = (ids: ReadonlyArray<string>, all: boolean): Effect.Effect<Targets, UsageError> => {
  if (all && ids.length > 0) return Effect.fail(new UsageError({ message: "give agent ids or --all, not both" }))
  if (!all && ids.length === 0) return Effect.fail(new UsageError({ message: "give at least one agent id, or --all" }))
  return Effect.succeed(all ? { _tag: "All" } : { _tag: "Ids", ids })
}

/** `--timeout 2s`, in milliseconds. */
export const timeoutFlag = Flag.String("timeout").pipe(
  Flag.withMetavar("DURATION"),
  Flag.filterMap(
    (raw) => Option.fromUndefinedOr(parseDurationMs(raw)),
    () => "expected a duration such as 500ms, 5s or 2m"
  ),
  Flag.optional,
  Flag.withDescription("stop timeout for every agent, e.g. 2s or 500ms (default: each agent's run.stop_timeout)")
)

/** `-n/--lines N` of `logs` and `launcher logs`: a whole number of lines, 0 or more. */
export const linesFlag = Flag.String("lines").pipe(
  Flag.withAlias("n"),
  Flag.withMetavar("N"),
  Flag.filterMap(
    (raw) => (/^\d{1,9}$/.test(raw) ? Option.some(Number(raw)) : Option.none()),
    () => "expected a whole number of lines, 0 or more"
  ),
  Flag.withDefault(100),
  Flag.withDescription("how many lines (default 100)")
)

export const followFlag = Flag.Boolean("follow").pipe(
  Flag.withAlias("f"),
  Flag.withDefault(false),
  Flag.withDescription("keep printing new lines")
)

const timeBoundFlag = (name: "since" | "until", what: string) =>
  Flag.String(name).pipe(
    Flag.withMetavar("DURATION|TIME"),
    Flag.filterMap(
      (raw) => Option.fromUndefinedOr(parseTimeBound(raw)),
      () => `expected ${timeBoundExpected}`
    ),
    Flag.optional,
    Flag.withDescription(what)
  )

/** `--since 10m` or `--since 2024-05-01T12:00:00Z` of `logs`. */
export const sinceFlag = timeBoundFlag(
  "since",
  "only lines that arrived since then: 10m (back from now) or an ISO time"
)

export const untilFlag = timeBoundFlag(
  "until",
  "only lines that arrived until then: 10m (back from now) or an ISO time"
)

export const streamFlag = Flag.Literals("stream", ["stdout", "stderr"]).pipe(
  Flag.optional,
  Flag.withDescription("only the agent's stdout or its stderr")
)
