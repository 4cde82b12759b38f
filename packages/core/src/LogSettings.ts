/**
 * How much of its agents' output the fleet keeps: `logs:` in `agentctl.yaml` for every agent,
 * `run.logs:` in an agent's config for that agent alone. Sizes are whole bytes once decoded.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { ByteSize, formatByteSize, isAtLeastBytes, parseByteSize } from "./ByteSize.ts"
import { withDefault } from "./withDefault.ts"

/** Free space to leave on the logs' filesystem: a share of its size, or a number of bytes. */
export const KeepFreeValue = Schema.TaggedUnion({
  Percent: { percent: Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 100 })) },
  Bytes: { bytes: Schema.Number }
})
export type KeepFree = typeof KeepFreeValue.Type

/** `5%`, `2.5%`, or a size; the percent sign is what tells the two apart. */
const parseKeepFree = (input: string | number): KeepFree | undefined => {
  const m = typeof input === "string" ? /^(\d+(?:\.\d+)?)\s*%$/.exec(input.trim()) : null
  if (m !== null) {
    const percent = Number(m[1])
    return percent <= 100 ? { _tag: "Percent", percent } : undefined
  }
  const bytes = parseByteSize(input)
  return bytes === undefined ? undefined : { _tag: "Bytes", bytes }
}

/** The `keep_free` field: written `5%` or `20GiB`, decoded to a `KeepFree`. */
export const KeepFree = Schema.Union([Schema.String, Schema.Number]).pipe(
  Schema.decodeTo(
    KeepFreeValue,
    SchemaTransformation.transformEffect({
      decode: (input: string | number, options) => {
        const keepFree = parseKeepFree(input)
        return keepFree === undefined
          ? Effect.fail(
              new SchemaIssue.InvalidValue(
                {
                  message: `expected a percentage from 0% to 100% such as 5%, or a size such as 10GiB, got ${JSON.stringify(input)}`
                },
                input,
                options
              )
            )
          : Effect.succeed(keepFree)
      },
      encode: (keepFree: KeepFree) =>
        Effect.succeed(keepFree._tag === "Percent" ? `${keepFree.percent}%` : formatByteSize(keepFree.bytes))
    })
  )
)

// Below these a file would rotate every few lines, and a line could not hold a stack frame.
const MaxSize = ByteSize.check(isAtLeastBytes(4 * 1024))
const MaxLine = ByteSize.check(isAtLeastBytes(256))
const Keep = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

// A line is cut at max_line and a file rotates at max_size: a line longer than a whole file
// would make every file one line, over its size.
const lineFitsFile = Schema.makeFilter((s: { readonly max_size?: number; readonly max_line?: number }) =>
  s.max_size !== undefined && s.max_line !== undefined && s.max_line > s.max_size
    ? {
        path: ["max_line"],
        issue: `max_line (${formatByteSize(s.max_line)}) is larger than max_size (${formatByteSize(s.max_size)}): a line must fit in a file, so lower max_line or raise max_size`
      }
    : undefined
)

export const defaultMaxLine = 64 * 1024

/** `logs:` in `agentctl.yaml`; every key optional. */
export const LogSettings = Schema.Struct({
  /** The current log is rotated once it reaches this. */
  max_size: withDefault(MaxSize, "10MiB"),
  /** Rotated files kept per agent; the oldest go first. */
  keep: withDefault(Keep, 5),
  /** All agents' logs together, current and rotated. */
  max_total: withDefault(ByteSize, "1GiB"),
  /** Logs never push the filesystem's free space below this. */
  keep_free: withDefault(KeepFree, "5%"),
  /** Evicting for the two budgets above never leaves an agent with less history than this. */
  min_keep: withDefault(ByteSize, "1MiB"),
  /** Rotated files are gzipped. */
  compress: withDefault(Schema.Boolean, true),
  /**
   * A longer line is cut here, and marked as cut. Without a default in the schema: the default
   * (defaultMaxLine, or max_size if smaller) must not fail a config that only lowers max_size.
   */
  max_line: Schema.optionalKey(MaxLine)
}).check(lineFitsFile)
export type LogSettings = typeof LogSettings.Type

/** A key one agent cannot set: the budget is shared, so it lives where every agent reads it. */
const fleetWide = (key: string) =>
  Schema.optionalKey(
    Schema.Never.annotate({
      message: `${key} is fleet-wide: set it under logs: in agentctl.yaml, not in one agent's config`
    })
  )

/**
 * `run.logs:` in an agent's config: what that agent overrides, nothing more, so an absent key
 * means "the fleet's", not a default of its own. Unknown keys are ignored, as everywhere in
 * `run:`; `max_total` and `keep_free` are refused rather than ignored, since ignoring them would
 * look like they had been applied.
 */
export const AgentLogSettings = Schema.Struct({
  max_size: Schema.optionalKey(MaxSize),
  keep: Schema.optionalKey(Keep),
  min_keep: Schema.optionalKey(ByteSize),
  compress: Schema.optionalKey(Schema.Boolean),
  max_line: Schema.optionalKey(MaxLine),
  max_total: fleetWide("max_total"),
  keep_free: fleetWide("keep_free")
}).check(lineFitsFile)
export type AgentLogSettings = typeof AgentLogSettings.Type

/** One agent's log settings, the fleet's and its own merged; sizes in bytes. */
export interface ResolvedLogSettings {
  readonly maxSize: number
  readonly keep: number
  readonly minKeep: number
  readonly compress: boolean
  readonly maxLine: number
}

/** What the whole fleet's logs may use together. */
export interface FleetLogBudget {
  readonly maxTotal: number
  readonly keepFree: KeepFree
}

/**
 * The agent's keys win. An agent that lowers `max_size` below the fleet's `max_line` (or raises
 * `max_line` alone) gets lines cut at its `max_size`: each file checks that its own keys agree,
 * and refusing an agent's config over a key it did not write would be worse than the cut.
 */
export const resolveLogSettings = (fleet: LogSettings, agent: AgentLogSettings): ResolvedLogSettings => {
  const maxSize = agent.max_size ?? fleet.max_size
  return {
    maxSize,
    keep: agent.keep ?? fleet.keep,
    minKeep: agent.min_keep ?? fleet.min_keep,
    compress: agent.compress ?? fleet.compress,
    maxLine: Math.min(agent.max_line ?? fleet.max_line ?? defaultMaxLine, maxSize)
  }
}

export const fleetLogBudget = (fleet: LogSettings): FleetLogBudget => ({
  maxTotal: fleet.max_total,
  keepFree: fleet.keep_free
})
