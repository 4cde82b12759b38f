import { printable, quoted } from "@agentctl/core/printable"
import type { CliError } from "effect/cli"

/*
 * effect/cli's parse errors as one line each, from their fields (its own messages span lines:
 * "Did you mean this?" and the suggestions below). `--help` keeps the parser's rich help.
 */

const didYouMean = (suggestions: ReadonlyArray<string>) =>
  suggestions.length === 0 ? "" : ` (did you mean ${suggestions.map(printable).join(" or ")}?)`

/** effect/cli says "Expected: integer" or "Expected a string representing ..."; we say "expected ...". */
const expectation = (expected: string) => {
  const bare = expected.replace(/^Expected:\s*/, "")
  return printable(bare.startsWith("Expected ") ? `e${bare.slice(1)}` : bare)
}

const describe = (command: string, error: CliError.NonShowHelpErrors): string => {
  switch (error._tag) {
    case "UnrecognizedOption":
      return `unknown flag ${printable(error.option)} for ${command}${didYouMean(error.suggestions)}`
    case "UnknownSubcommand":
      return `unknown command ${quoted(error.subcommand)} for ${error.parent === undefined ? command : `"${error.parent.map(printable).join(" ")}"`}${didYouMean(error.suggestions)}`
    case "MissingOption":
      return `${command} needs --${printable(error.option)}`
    case "MissingArgument":
      return `${command} needs <${printable(error.argument)}>`
    case "UnexpectedArgument":
      return `${command} takes no ${error.arguments.length === 1 ? "argument" : "arguments"} ${error.arguments.map(quoted).join(", ")}`
    case "InvalidValue": {
      const name = error.kind === "flag" ? `--${printable(error.option)}` : `<${printable(error.option)}>`
      if (error.kind === "flag" && error.value === "") return `${name} needs a value`
      return `invalid ${name} ${quoted(error.value)}: ${expectation(error.expected)}`
    }
    case "DuplicateOption":
    case "ValidationError":
    case "UserError":
      return printable(error.message)
  }
}

/** One line for every parse error of one invocation (distinct ones joined with "; "). */
export const usageLine = (
  commandPath: ReadonlyArray<string>,
  errors: ReadonlyArray<CliError.NonShowHelpErrors>
): string => {
  const command = `"${commandPath.map(printable).join(" ")}"`
  return [...new Set(errors.map((e) => describe(command, e)))].join("; ")
}
