/**
 * Query-string and body values with strict decoding and messages a user can act on: `?tail=`
 * is not 0, `?tail=1e3` is not 1000, `?timeout=soon` says what a duration looks like.
 */
import { parseDurationMs } from "@agentctl/core/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"

const show = (input: string) => JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)

const fromString = <A>(
  to: Schema.Codec<A>,
  parse: (input: string) => A | undefined,
  expected: string,
  format: (a: A) => string
) =>
  Schema.String.pipe(
    Schema.decodeTo(
      to,
      SchemaTransformation.transformEffect({
        decode: (input: string, options) => {
          const value = parse(input)
          return value === undefined
            ? Effect.fail(
                new SchemaIssue.InvalidValue({ message: `expected ${expected}, got ${show(input)}` }, input, options)
              )
            : Effect.succeed(value)
        },
        encode: (value: A) => Effect.succeed(format(value))
      })
    )
  )

export const maxTail = 100_000
export const defaultTail = 100

/** `?tail=N`: how many log lines, an integer 0..100000. */
export const TailParam = fromString(
  Schema.Int,
  (s) => (/^\d{1,6}$/.test(s) && Number(s) <= maxTail ? Number(s) : undefined),
  `an integer from 0 to ${maxTail}`,
  String
)

/** `?timeout=2s`, `500ms`, `1m` (a bare number is seconds); decoded to milliseconds. */
export const DurationParam = fromString(
  Schema.Number,
  (s) => (s.length <= 32 ? parseDurationMs(s) : undefined),
  "a duration such as 500ms, 5s or 2m",
  (ms) => `${ms}ms`
)

/** `?follow=true|false|1|0`. */
export const FlagParam = fromString(
  Schema.Boolean,
  (s) => (s === "true" || s === "1" ? true : s === "false" || s === "0" ? false : undefined),
  "true or false",
  String
)
