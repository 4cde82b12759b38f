import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** Plain aligned columns; the last column is not padded. */
export const renderTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return [line(headers), ...rows.map(line)].join("\n")
}

export const printJson = (value: unknown) => Console.log(JSON.stringify(value, null, 2))

/** One line to stderr: what went wrong, never a stack trace. */
export const printError = (message: string) => Effect.sync(() => process.stderr.write(`agentctl: ${message}\n`))
