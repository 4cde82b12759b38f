/**
 * How `logs` (and `status`) print records: stdout lines exactly as the agent wrote them, every
 * other kind marked, so a reader of the merged output can tell them apart.
 */
import type { LogRecord } from "@agentctl/core/LogRecord"

export const stderrMark = "[stderr] "
export const noteMark = "[agentctl] "
export const cutMark = " [… cut]"

export interface Shown {
  readonly id: string
  readonly record: LogRecord
}

/** One record as a line of text: `<id> | ` when several agents are shown, `<ISO time> ` with timestamps. */
export const formatLine = (shown: Shown, options: { readonly prefixId: boolean; readonly timestamps: boolean }) => {
  const r = shown.record
  const id = options.prefixId ? `${shown.id} | ` : ""
  const time = options.timestamps ? `${r.at === null ? "-" : new Date(r.at).toISOString()} ` : ""
  const mark = r.stream === "stderr" ? stderrMark : r.stream === "agentctl" ? noteMark : ""
  return `${id}${time}${mark}${r.text}${r.cut ? cutMark : ""}`
}

/** One record as `--json` prints it: one object per line. */
export const formatJson = (shown: Shown) =>
  JSON.stringify({
    id: shown.id,
    seq: shown.record.seq,
    at: shown.record.at,
    stream: shown.record.stream,
    text: shown.record.text,
    cut: shown.record.cut,
    partial: shown.record.partial
  })

/**
 * Several agents' records as one history: by time, stable (records of one time keep their
 * agent's and their own order), raw lines of unknown time first.
 */
export const mergeByTime = (perAgent: ReadonlyArray<ReadonlyArray<Shown>>): ReadonlyArray<Shown> =>
  perAgent.flat().toSorted((a, b) => {
    if (a.record.at === null || b.record.at === null) return a.record.at === null ? (b.record.at === null ? 0 : -1) : 1
    return a.record.at - b.record.at
  })
