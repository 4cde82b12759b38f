/**
 * `.env` files, parsed the way docker compose and the `dotenv` package read them, minus interpolation:
 * `$VAR` is kept as written, because a fleet's `.env` is data, and expanding it would make the value
 * depend on whichever environment happened to run agentctl.
 */
import { configLimits, lineAt, overflowOffset, tooLargeMessage } from "./configLimits.ts"

export interface DotenvEntry {
  readonly key: string
  readonly value: string
  /** 1-based line where the entry starts (a multi-line quoted value starts at its key). */
  readonly line: number
}

export interface DotenvError {
  readonly line: number
  readonly message: string
}

export interface DotenvResult {
  /** One entry per key: a later duplicate replaces the earlier one and takes its place in the order. */
  readonly entries: ReadonlyArray<DotenvEntry>
  /** In line order; reading stops at the `maxErrors`th, or at a limit (`configLimits`), which is the last. */
  readonly errors: ReadonlyArray<DotenvError>
}

/** Enough to fix a file by: a binary file read as a `.env` must not make an error per line. */
export const maxErrors = 100

const keyPattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/

/** A piece of the file in a message, cut short: a binary file's "line" may be a megabyte. */
const cut = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text)
const excerpt = (text: string): string => JSON.stringify(cut(text))

const doubleQuoteEscapes: Readonly<Record<string, string>> = {
  n: "\n",
  r: "\r",
  t: "\t",
  '"': '"',
  "\\": "\\",
  $: "$"
}

type Quoted =
  | { readonly _tag: "Closed"; readonly value: string; readonly endLine: number; readonly rest: string }
  | { readonly _tag: "Unterminated" }

/**
 * Reads a quoted value that opens on `lines[start]` at `text` (the text after the opening quote) and may
 * run over the following lines. Escapes are decoded inside double quotes only.
 */
const readQuoted = (lines: ReadonlyArray<string>, start: number, quote: string, text: string): Quoted => {
  let value = ""
  let current = text
  for (let index = start; index < lines.length; index++) {
    if (index > start) {
      value += "\n"
      current = lines[index] ?? ""
    }
    for (let i = 0; i < current.length; i++) {
      const c = current[i]!
      if (c === quote) return { _tag: "Closed", value, endLine: index, rest: current.slice(i + 1) }
      if (quote === '"' && c === "\\" && i + 1 < current.length) {
        const next = current[i + 1]!
        // An unknown escape stays as written, so a Windows path like "C:\Users" survives.
        value += doubleQuoteEscapes[next] ?? c + next
        i++
      } else {
        value += c
      }
    }
  }
  return { _tag: "Unterminated" }
}

export const parseDotenv = (text: string): DotenvResult => {
  const tooLarge = overflowOffset(text, configLimits.fileBytes)
  if (tooLarge !== undefined)
    return { entries: [], errors: [{ line: lineAt(text, tooLarge), message: tooLargeMessage }] }
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
  const entries = new Map<string, DotenvEntry>()
  const errors: Array<DotenvError> = []

  for (let index = 0; index < lines.length && errors.length < maxErrors; index++) {
    const line = index + 1
    const raw = lines[index] ?? ""
    const trimmed = raw.trim()
    if (trimmed === "" || trimmed.startsWith("#")) continue

    // Only the start is trimmed: trailing spaces may be inside a quoted value that runs onto the next line.
    const statement = raw.trimStart().replace(/^export[ \t]+/, "")
    const eq = statement.indexOf("=")
    if (eq === -1) {
      errors.push({ line, message: `expected KEY=value, got ${excerpt(trimmed)}` })
      continue
    }
    const key = statement.slice(0, eq).trim()
    const afterEq = statement.slice(eq + 1)
    const valueText = afterEq.trimStart()
    const quote = valueText[0]

    let value: string
    if (quote === '"' || quote === "'" || quote === "`") {
      const quoted = readQuoted(lines, index, quote, valueText.slice(1))
      if (quoted._tag === "Unterminated") {
        // Resume on the next line: the rest of the file is more likely meant as entries than as this value.
        errors.push({
          line,
          message: `unterminated ${quote} quote in the value of ${key === "" ? "(no key)" : cut(key)}`
        })
        continue
      }
      // Skip the whole quoted value, so its inner lines are not read as entries even when the key is bad.
      index = quoted.endLine
      const rest = quoted.rest.trim()
      if (rest !== "" && !rest.startsWith("#")) {
        errors.push({ line: index + 1, message: `unexpected ${excerpt(rest)} after the closing ${quote} quote` })
        continue
      }
      value = quoted.value
    } else {
      // `#` needs whitespace before it to start a comment, so `URL=http://x/#anchor` keeps its anchor.
      const comment = /\s#/.exec(afterEq)
      value = (comment === null ? afterEq : afterEq.slice(0, comment.index)).trim()
    }

    if (!keyPattern.test(key)) {
      errors.push({
        line,
        message: `invalid key ${excerpt(key)}: a key starts with a letter or "_" and holds only letters, digits, "_", "." and "-"`
      })
      continue
    }
    if (!entries.delete(key) && entries.size === configLimits.dotenvEntries) {
      const limit = configLimits.dotenvEntries
      errors.push({ line, message: `more than ${limit} entries (limit ${limit})` })
      break
    }
    entries.set(key, { key, value, line })
  }

  return { entries: [...entries.values()], errors }
}

/** Whether `parseDotenv` reads `key` as a key. */
export const isDotenvKey = (key: string): boolean => keyPattern.test(key)

// Values that read back as written without quotes: no blank (the reader trims), quote, `#` or backslash.
const plainValue = /^[^\s"'`#\\]*$/

const quoteValue = (value: string): string =>
  `"${value.replace(/[\\"\n\r]/g, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : `\\${c}`))}"`

/**
 * Entries as a `.env` file that `parseDotenv` reads back to the same keys and values, in order. A
 * value is written bare when that reads back the same, else double-quoted with `\\`, `\"`, `\n`
 * and `\r` escaped (so each entry is one line). A key a `.env` cannot hold (a host's `A(x86)`)
 * becomes a comment naming it, so the output is always a valid `.env` and nothing is dropped unsaid.
 */
export const formatDotenv = (entries: ReadonlyArray<{ readonly key: string; readonly value: string }>): string =>
  entries
    .map(({ key, value }) =>
      isDotenvKey(key)
        ? `${key}=${plainValue.test(value) ? value : quoteValue(value)}\n`
        : `# not representable in a .env: ${JSON.stringify(key)}\n`
    )
    .join("")
