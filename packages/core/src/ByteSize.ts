/**
 * Sizes in configs and flags: `10MiB`, `1.5GiB`, `500 kB`, or a bare number of bytes. Parsed to
 * whole bytes; pure functions, so the CLI, the config schema and `logs --du` agree.
 *
 * effect's own `ByteSize` is a bigint, marked unstable, and spells units its own way (no `KB`);
 * log budgets are compared and summed with file sizes, which are numbers.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"

import { GiB, iecUnits, KiB, MiB, TiB } from "./bytesText.ts"

export { formatBytes } from "./bytesText.ts"

const units: Record<string, number> = {
  B: 1,
  KiB,
  MiB,
  GiB,
  TiB,
  kB: 1000,
  // Not SI, but what people type for kilobytes; `Kb` and `mb` stay errors (bits? milli?).
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4
}

/** Beyond this, bytes are no longer whole numbers in a double: a size is refused, not rounded. */
const maxBytes = Number.MAX_SAFE_INTEGER

/** Whole bytes, or undefined for anything else (negative, garbage, a fraction of a byte, too large). Never throws. */
export const parseByteSize = (input: string | number): number | undefined => {
  if (typeof input === "number") return Number.isSafeInteger(input) && input >= 0 ? input : undefined
  // Blanks around it are trimmed, not matched: `\s*` on both sides of an optional unit backtracks quadratically.
  const m = /^(\d+)(?:\.(\d+))?\s*(B|KiB|MiB|GiB|TiB|kB|KB|MB|GB|TB)?$/.exec(input.trim())
  if (m === null) return undefined
  const unit = units[m[3] ?? "B"]!
  if (m[2] !== undefined && unit === 1) return undefined
  // Whole part and fraction apart, the fraction rounded to the byte: 0.1 × 2^30 is not whole.
  const bytes = Number(m[1]) * unit + Math.round(Number(`0.${m[2] ?? "0"}`) * unit)
  return bytes <= maxBytes ? bytes : undefined
}

/** Whole bytes as `parseByteSize` reads them back exactly: the largest IEC unit that divides them, else `<n>B`. */
export const formatByteSize = (bytes: number): string => {
  const exact = bytes > 0 ? iecUnits.findLast(([, size]) => bytes % size === 0) : undefined
  return exact === undefined ? `${bytes}B` : `${bytes / exact[1]}${exact[0]}`
}

/** A size field: `10MiB`, `1.5GiB`, `500 kB`, or a whole number of bytes; decoded to bytes. */
export const ByteSize = Schema.Union([Schema.String, Schema.Number]).pipe(
  Schema.decodeTo(
    Schema.Number,
    SchemaTransformation.transformEffect({
      decode: (input: string | number, options) => {
        const bytes = parseByteSize(input)
        return bytes === undefined
          ? Effect.fail(
              new SchemaIssue.InvalidValue(
                { message: `expected a size such as 10MiB or 1GiB, got ${JSON.stringify(input)}` },
                input,
                options
              )
            )
          : Effect.succeed(bytes)
      },
      encode: (bytes: number) => Effect.succeed(formatByteSize(bytes))
    })
  )
)

/** A floor on a size field, said in the units the field is written in. */
export const isAtLeastBytes = (minimum: number) =>
  Schema.makeFilter((bytes: number) =>
    bytes >= minimum ? undefined : `expected at least ${formatByteSize(minimum)}, got ${formatByteSize(bytes)}`
  )
