import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

export { renderTable } from "./fast/table.ts"

export const printJson = (value: unknown) => Console.log(JSON.stringify(value, null, 2))

/** One line to stderr: what went wrong, never a stack trace. */
export const printError = (message: string) => Effect.sync(() => process.stderr.write(`agentctl: ${message}\n`))
