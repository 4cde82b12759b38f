/**
 * Durations in configs and flags: `5s`, `500ms`, `2m`, `1h`, `1.5s`, or a bare number of seconds.
 * Parsed to milliseconds; a pure function so the CLI, the config schema and the API agree.
 */
const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Beyond this, milliseconds are no longer whole numbers in a double: a duration is refused, not rounded. */
const maxMs = Number.MAX_SAFE_INTEGER

/** Whole milliseconds, or undefined for anything else (negative, garbage, too large). Never throws. */
export const parseDurationMs = (input: string | number): number | undefined => {
  if (typeof input === "number") {
    const ms = Math.round(input * 1000)
    return Number.isFinite(input) && input >= 0 && ms <= maxMs ? ms : undefined
  }
  // Trimmed first: `\s*` on both sides of an optional unit would backtrack quadratically on blanks.
  const m = /^(\d+)(?:\.(\d+))?\s*(ms|s|m|h)?$/.exec(input.trim())
  if (m === null) return undefined
  const unit = units[m[3] ?? "s"]!
  // Whole part and fraction apart: 1.001 × 1000 in floating point is 1000.9999…
  const ms = Number(m[1]) * unit + Math.round(Number(`0.${m[2] ?? "0"}`) * unit)
  return ms <= maxMs ? ms : undefined
}

/** Whole milliseconds as `parseDurationMs` reads them back exactly: 500ms, 1.5s, 2m, 1h. */
export const formatDurationMs = (ms: number): string => {
  if (ms < 1000) return `${ms}ms`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  // Digits, not ms / 1000: a double prints 9007199254740.991 as 9007199254740.99.
  const fraction = String(ms % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "")
  return `${(ms - (ms % 1000)) / 1000}${fraction === "" ? "" : `.${fraction}`}s`
}

/** `uptime` column: 45s, 12m03s, 3h07m, 2d04h. */
export const formatUptime = (seconds: number): string => {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, "0")}h`
}
