/**
 * Query-string, header and body values that are strings on the wire. Each is checked against one
 * pattern, and that pattern is what the OpenAPI document shows, so the contract and the server
 * accept exactly the same strings: `?tail=1e3` is not 1000, `?timeout=` has a maximum, and a bad
 * value gets a message a user can act on.
 */
import { parseDurationMs } from "@agentctl/core/Duration"
import { parseTimeBound, timeBoundExpected, timeBoundPattern } from "@agentctl/core/logTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"

const show = (input: string) => JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)

/**
 * A string matching `pattern` (a `u` pattern: JSON Schema's dialect), decoded by `parse`. The
 * pattern decides what is valid; `parse` converts (and refuses only what the pattern let through
 * by mistake).
 */
const patterned = <A>(options: {
  readonly pattern: RegExp
  readonly to: Schema.Codec<A>
  readonly parse: (input: string) => A | undefined
  readonly format: (a: A) => string
  readonly expected: string
  readonly description: string
}) =>
  Schema.String.check(
    Schema.makeFilter(
      (input: string) => (options.pattern.test(input) ? undefined : `expected ${options.expected}, got ${show(input)}`),
      { expected: options.expected, toJsonSchema: () => ({ pattern: options.pattern.source }) }
    )
  )
    .annotate({ description: options.description })
    .pipe(
      Schema.decodeTo(
        options.to,
        SchemaTransformation.transformEffect({
          decode: (input: string, parseOptions) => {
            const value = options.parse(input)
            return value === undefined
              ? Effect.fail(
                  new SchemaIssue.InvalidValue(
                    { message: `expected ${options.expected}, got ${show(input)}` },
                    input,
                    parseOptions
                  )
                )
              : Effect.succeed(value)
          },
          encode: (value: A) => Effect.succeed(options.format(value))
        })
      )
    )

export const maxTail = 100_000
export const defaultTail = 100

/** `?tail=N`: how many log lines, an integer 0..100000. */
export const TailParam = patterned({
  pattern: /^(?:[0-9]{1,5}|100000)$/u,
  to: Schema.Int,
  parse: Number,
  format: String,
  expected: `an integer from 0 to ${maxTail}`,
  description: `How many lines, 0 to ${maxTail} (default ${defaultTail}).`
})

/** The longest stop timeout a request may ask for: a request is held open that long. */
export const maxTimeoutMs = 3_600_000

// 0..3600 s, 0..60 m, 0..1 h or 0..3600000 ms, up to three decimals; a bare number is seconds.
const seconds = String.raw`(?:[0-2]?[0-9]{1,3}|3[0-5][0-9]{2})(?:\.[0-9]{1,3})?|3600(?:\.0{1,3})?`
const minutes = String.raw`[0-5]?[0-9](?:\.[0-9]{1,3})?|60(?:\.0{1,3})?`
const hours = String.raw`0(?:\.[0-9]{1,3})?|1(?:\.0{1,3})?`
const millis = String.raw`(?:[0-2]?[0-9]{1,6}|3[0-5][0-9]{5})(?:\.[0-9]{1,3})?|3600000(?:\.0{1,3})?`
const durationPattern = new RegExp(`^(?:(?:${seconds})s?|(?:${minutes})m|(?:${hours})h|(?:${millis})ms)$`, "u")

/** `?timeout=2s`, `500ms`, `1m` (a bare number is seconds), at most 1h; decoded to milliseconds. */
export const DurationParam = patterned({
  pattern: durationPattern,
  to: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: maxTimeoutMs })),
  parse: parseDurationMs,
  format: (ms) => `${ms}ms`,
  expected: "a duration from 0 to 1h, such as 500ms, 5s or 2m",
  description:
    "Overrides the agent's stop_timeout: 500ms, 5s, 2m or 1h (a bare number is seconds), at most 1h. The request is answered when the agent has stopped."
})

/** `?follow=true|false|1|0`. */
export const FlagParam = Schema.Literals(["true", "false", "1", "0"])
  .annotate({ description: "true or false (1 or 0)" })
  .pipe(
    Schema.decodeTo(
      Schema.Boolean,
      SchemaTransformation.transform({
        decode: (s) => s === "true" || s === "1",
        encode: (b): "true" | "false" => (b ? "true" : "false")
      })
    )
  )

/** An event's `seq`, as /events sends it in `id:` and takes it back in `Last-Event-ID` or `?since=`. */
export const SeqParam = patterned({
  pattern: /^[0-9]{1,15}$/u,
  to: Schema.Int,
  parse: Number,
  format: String,
  expected: "an event seq (a non-negative integer)",
  description: "The `seq` of the last event received; the stream resumes after it."
})

/**
 * `?since=` / `?until=` of the logs route: `10m` back from now or an ISO time, as the CLI's
 * flags take them. Checked here, kept as text: it is resolved against the clock when served.
 */
export const TimeBoundParam = patterned({
  pattern: new RegExp(timeBoundPattern, "u"),
  to: Schema.String,
  parse: (input) => (parseTimeBound(input) === undefined ? undefined : input),
  format: (input) => input,
  expected: timeBoundExpected,
  description: "A duration back from now (30s, 10m, 2h; a bare number is seconds) or an ISO 8601 time."
})

/** `?stream=stdout|stderr`. */
export const StreamParam = Schema.Literals(["stdout", "stderr"]).annotate({ description: "stdout or stderr only" })
