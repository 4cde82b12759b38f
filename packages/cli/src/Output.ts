import { printable } from "@agentctl/core/printable"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

export { renderTable } from "./fast/table.ts"

export const printJson = (value: unknown) => Console.log(JSON.stringify(value, null, 2))

/**
 * One line to stderr: what went wrong, never a stack trace. Messages are built printable
 * already; `printable` again (idempotent) guarantees one line whatever a message holds.
 */
export const printError = (message: string) =>
  Effect.sync(() => process.stderr.write(`agentctl: ${printable(message)}\n`))

/** A warning: the command did what it was asked, but something beside it did not work. */
export const printWarning = (message: string) => printError(`warning: ${message}`)
