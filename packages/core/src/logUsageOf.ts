import { formatBytes } from "./bytesText.ts"
// A type only, erased from the bundle: the fast `ls` path computes usage without loading Schema.
import type { LogUsage } from "./LogUsage.ts"

/*
 * One agent's log usage as `ls --json`, `status`, `stats` and the API report it (LogUsage.ts says
 * what each field counts). Plain functions, no Effect.
 */

/** What the launcher counts per agent. */
export interface LauncherLogCounters {
  readonly bytes: number
  readonly writtenBytes: number
  readonly droppedBytes: number
  readonly evictedBytes: number
  readonly cutLines: number
}

/**
 * Without a launcher: the records' bytes as the last launcher left them (nothing writes records
 * without one) plus the raw log an agent started without a launcher appends to, which nothing
 * rotates: past max_size, say so and how to fix it.
 */
export const daemonlessLogUsage = (
  recordBytes: number,
  raw: { readonly path: string; readonly bytes: number },
  maxSize: number,
  /** The FIFO a running instance writes to, started by a launcher that is gone; null if none. */
  undrained: string | null
): LogUsage => {
  const warnings = [
    ...(undrained === null
      ? []
      : [
          `its output goes to ${undrained}, which only a launcher drains: it blocks once 64 KiB wait there (agentctl launcher start)`
        ]),
    ...(raw.bytes > maxSize
      ? [
          `${raw.path} is ${formatBytes(raw.bytes)}, over max_size (${formatBytes(maxSize)}), and no launcher rotates it: run \`agentctl logs --rotate\`, or start the launcher`
        ]
      : [])
  ]
  return {
    bytes: recordBytes + raw.bytes,
    writtenBytes: null,
    droppedBytes: null,
    evictedBytes: null,
    cutLines: null,
    warning: warnings.length === 0 ? null : warnings.join("; ")
  }
}

export const launcherLogUsage = (counters: LauncherLogCounters): LogUsage => ({ ...counters, warning: null })
