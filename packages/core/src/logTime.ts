/**
 * `--since`/`--until` (and the API's `since`/`until`): a duration back from now (`10m`, `1.5h`, a
 * bare number of seconds, as parseDurationMs reads it) or an ISO 8601 time. Parsed apart from
 * resolving, so a schema can check the text and the caller supplies the clock.
 */
import { parseDurationMs } from "./Duration.ts"

export type TimeBound = { readonly _tag: "Ago"; readonly ms: number } | { readonly _tag: "At"; readonly ms: number }

// A date, optionally a time (seconds and fraction optional), optionally a zone; Date.parse alone
// also takes "March 7" and reads an ambiguous local time however the engine likes.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * What the API's `since`/`until` accept (and its OpenAPI document shows): a subset of what
 * parseTimeBound takes (no blanks, at most 9 digits of a duration, only real months, days, hours),
 * so that every value the pattern allows is one the parser takes.
 */
export const timeBoundPattern =
  String.raw`^(?:[0-9]{1,9}(?:\.[0-9]{1,3})?(?:ms|s|m|h)?|[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])` +
  String.raw`(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?(?:Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?)?)$`

export const timeBoundExpected =
  "a duration back from now (such as 30s, 10m or 2h) or an ISO time (2024-05-01T12:00:00Z)"

export const parseTimeBound = (input: string): TimeBound | undefined => {
  const text = input.trim()
  if (ISO.test(text)) {
    const ms = Date.parse(text)
    return Number.isFinite(ms) ? { _tag: "At", ms } : undefined
  }
  const ms = parseDurationMs(text)
  return ms === undefined ? undefined : { _tag: "Ago", ms }
}

export const resolveTimeBound = (bound: TimeBound, now: number): number =>
  bound._tag === "At" ? bound.ms : now - bound.ms

export const formatTimeBound = (bound: TimeBound): string =>
  bound._tag === "At" ? new Date(bound.ms).toISOString() : `${bound.ms}ms`
