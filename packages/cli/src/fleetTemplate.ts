/**
 * The files `agentctl init` writes: an `agentctl.yaml` that shows every setting at its default,
 * commented out, and a `.env` that says where it stands among the agents' environments.
 */

/** One key of agentctl.yaml: its default as YAML (none for a section), what it does, its keys. */
export interface SettingLine {
  readonly key: string
  readonly value?: string
  readonly about: string
  readonly keys?: ReadonlyArray<SettingLine>
}

/**
 * Every key of FleetSettings, with its default written as a user would write it. The defaults
 * are the schema's (fleetTemplate.test.ts decodes this table, uncommented, to them), written
 * here by hand: the schema holds them decoded (`60000`, not `60s`).
 */
export const settingLines: ReadonlyArray<SettingLine> = [
  {
    key: "agents",
    value: "agents/*/config.yaml",
    about: "glob of the agents' configs, from this folder (* ? [..] in a segment, ** across)"
  },
  { key: "env_file", value: ".env", about: "the fleet's .env, read for every agent" },
  { key: "build", value: "[bash, build.sh]", about: "argv of `agentctl build`, run in this folder" },
  {
    key: "restart",
    about: "the launcher's backoff before it restarts an agent",
    keys: [
      { key: "initial_delay", value: "1s", about: "wait before the first restart" },
      { key: "max_delay", value: "60s", about: "the longest wait" },
      { key: "multiplier", value: "2", about: "each wait is the last one times this" },
      { key: "jitter", value: "0.1", about: "each wait varies by up to this share, at random" },
      { key: "stable_after", value: "30s", about: "a run this long resets the backoff" },
      { key: "max_failures", value: "5", about: "give up after this many failures..." },
      { key: "failure_window", value: "60s", about: "...within this long" },
      { key: "cooldown", value: "10m", about: "after giving up, try again this long after (never: wait for a start)" }
    ]
  },
  {
    key: "api",
    about: "the launcher's HTTP API (token: agentctl api)",
    keys: [
      { key: "host", value: "127.0.0.1", about: "address it listens on" },
      { key: "port", value: "7717", about: "0: any free port" }
    ]
  },
  {
    key: "logs",
    about: "how much of the agents' output is kept",
    keys: [
      { key: "max_size", value: "10MiB", about: "rotate an agent's current log at this size (at least 4KiB)" },
      { key: "keep", value: "5", about: "rotated files kept per agent, oldest deleted first" },
      { key: "max_total", value: "1GiB", about: "all agents' logs together, current and rotated" },
      { key: "keep_free", value: "5%", about: "or a size: logs never push the disk's free space below it" },
      { key: "min_keep", value: "1MiB", about: "eviction for the two above never leaves an agent less" },
      { key: "compress", value: "true", about: "gzip rotated files" },
      { key: "max_line", value: "64KiB", about: "cut longer lines, marked (default: 64KiB, or max_size if smaller)" }
    ]
  }
]

/** Where each line's comment starts, so the comments form one column. */
const commentColumn = 36

const withComment = (head: string, about: string): string => `${head.padEnd(commentColumn - 1)} # ${about}`

const render = (lines: ReadonlyArray<SettingLine>, prefix: string, indent: string): ReadonlyArray<string> =>
  lines.flatMap((line) => [
    withComment(`${prefix}${indent}${line.key}:${line.value === undefined ? "" : ` ${line.value}`}`, line.about),
    ...render(line.keys ?? [], prefix, `${indent}  `)
  ])

/** The settings as YAML lines, each commented out (`# `) or, for the tests, not. */
export const renderSettings = (commented: boolean): ReadonlyArray<string> =>
  render(settingLines, commented ? "# " : "", "")

// An example, not a default (there is none): it stays a comment even where the settings do not.
const defaultsExample = [
  withComment("# defaults:", "merged under every agent's config (the agent's own keys win)"),
  "#   run:",
  "#     command: bin/launcher",
  withComment('#     args: ["-c", "{config}"]', "placeholders: {config} {id} {dir} {root}")
]

export const fleetSettingsText = (): string =>
  [
    "# agentctl.yaml: settings for the whole fleet, whose folder this is. Every key is optional;",
    "# each line below shows a key at its default: uncomment it to change it.",
    "# Durations: 500ms, 5s, 2m, or a number of seconds. Sizes: 64KiB, 10MiB, 1GiB, or bytes.",
    "",
    ...renderSettings(true),
    "",
    ...defaultsExample,
    ""
  ].join("\n")

export const fleetEnvText = (): string =>
  [
    "# The fleet's environment, read for every agent (and builds): one KEY=value a line.",
    "# Lowest precedence first: the host's environment < this file < the agent's own .env",
    "# (beside its config.yaml) < run.env in its config.",
    ""
  ].join("\n")
