/**
 * Bounds on the files a fleet is read from (agent configs, `agentctl.yaml`, `.env`). A real fleet
 * stays far below each; a file that breaks one is that file's error, found before or while it is
 * parsed, so a hostile or broken file costs milliseconds and never the rest of the fleet.
 */
export const configLimits = {
  /** Bytes (UTF-8) in one file. Configs are a few KiB; this leaves room for an agent's own settings. */
  fileBytes: 1_048_576,
  /**
   * Tokens in one YAML text, as the lexer sees them: keys, values, indicators, comments, line breaks
   * (a block scalar is one). Nodes are what a config is made of, but blank lines and stray commas
   * build none and cost the parser as much, so they are bounded here.
   */
  yamlTokens: 100_000,
  /** Nodes in one YAML document, keys and items counted, aliases counted as what they expand to. */
  yamlNodes: 10_000,
  /** Alias nodes (`*name`) in one YAML document. */
  yamlAliases: 100,
  /** Collections nested in one another in one YAML document. */
  nestingDepth: 64,
  /** Items in `run.args`: far more than any command line, far below the kernel's ARG_MAX. */
  args: 1_024,
  /** Keys in `run.env` (a long list belongs in a `.env`). */
  runEnv: 1_024,
  /** Entries in one `.env` file. */
  dotenvEntries: 4_096
} as const

const MiB = 1_048_576

/** `1 MiB`, `64 KiB`, `100 bytes`: how the limits read in messages. */
export const formatBytes = (bytes: number): string =>
  bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`

/** The message for a file over `configLimits.fileBytes`. */
export const tooLargeMessage = `larger than ${formatBytes(configLimits.fileBytes)} (limit ${configLimits.fileBytes} bytes)`

/**
 * Where `text` passes `limit` bytes as UTF-8 (an offset into the text), or undefined if it never
 * does. Counts without encoding and stops at the limit, so a huge text costs no copy. A lone
 * surrogate counts 3 bytes, as the encoder replaces it.
 */
export const overflowOffset = (text: string, limit: number): number | undefined => {
  // UTF-8 takes at most 3 bytes per UTF-16 unit (4 per surrogate pair): short texts need no count.
  if (text.length * 3 <= limit) return undefined
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const at = i
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1)
      if (low >= 0xdc00 && low < 0xe000) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
    if (bytes > limit) return at
  }
  return undefined
}

/** The 1-based line of `offset` in `text`. */
export const lineAt = (text: string, offset: number): number => {
  let line = 1
  const end = Math.min(offset, text.length)
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) line++
  return line
}
