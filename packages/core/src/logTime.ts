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

export const timeBoundPattern = String.raw`^(?:[0-9]+(?:\.[0-9]+)?\s*(?:ms|s|m|h)?|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?)$`

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
