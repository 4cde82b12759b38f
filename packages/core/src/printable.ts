/**
 * Text from outside (an id, a path, a flag value, a line an OS error printed) made safe to show
 * on one line of a terminal: control characters (newlines, escape sequences), format characters
 * (bidi overrides, zero-width spaces), line separators, lone surrogates and private-use
 * characters are written as escapes (`\n`, `\x1b`, `\u{202e}`); everything else is kept as it is.
 *
 * Idempotent: what it returns has nothing left to escape, so a message built from printable
 * fields can pass through it again (the CLI does, before printing any error) unchanged.
 */
const unprintable = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]/gu

const short: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }

const escape = (char: string): string => {
  const known = short[char]
  if (known !== undefined) return known
  const code = char.codePointAt(0) ?? 0
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`
}

export const printable = (text: string): string => text.replace(unprintable, escape)

/** `"text"`, printable: how messages quote what a user typed. */
export const quoted = (text: string): string => `"${printable(text)}"`
