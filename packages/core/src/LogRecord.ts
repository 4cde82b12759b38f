/**
 * One stored line of an agent's output, as the launcher writes it under `run/logs/<id>/`:
 *
 *     <seq> <ms> <flag> <text>\n
 *
 * `seq` counts records per agent from 1 and never repeats, across rotations and launcher restarts;
 * `ms` is the arrival time (epoch milliseconds, never decreasing within an agent); `text` is the
 * line's bytes exactly as the agent wrote them, without its newline. A text prefix rather than
 * JSON: the text needs no escaping, so storing a line costs one short prefix, and `grep` still
 * works on the files.
 *
 * The flag says what the record is:
 * - `o` / `e`: a whole line of stdout / stderr.
 * - `O` / `E`: a line longer than `logs.max_line`, cut there; the rest of it is counted, not kept.
 * - `p` / `q`: the start of a stdout / stderr line whose newline has not arrived yet. It is written
 *   at once so that a launcher killed mid-line loses nothing; when the line completes, the whole
 *   line is written as an `o`/`e` record and this one's flag is rewritten in place to `x`.
 * - `x`: superseded by a later record; readers skip it.
 * - `m`: a note by agentctl itself in the agent's history (bytes dropped on a full disk, a log
 *   taken over from an agent started without a launcher).
 */

export type LogStream = "stdout" | "stderr"

export const recordFlags = ["o", "e", "O", "E", "p", "q", "x", "m"] as const
export type RecordFlag = (typeof recordFlags)[number]

export interface LogRecord {
  /** null for a line of a raw log (`run/<id>.log`, written by an agent started without a launcher). */
  readonly seq: number | null
  /** Arrival time in epoch ms; null for a raw log's line, whose time nobody recorded. */
  readonly at: number | null
  /** `agentctl` for a note written by agentctl itself (flag `m`). */
  readonly stream: LogStream | "agentctl"
  readonly text: string
  /** The line was longer than `logs.max_line` and is cut there. */
  readonly cut: boolean
  /** The line's newline has not arrived yet (an in-flight `p`/`q` record, always the newest of its stream). */
  readonly partial: boolean
}

const streamOf: Record<RecordFlag, LogStream | "agentctl" | null> = {
  o: "stdout",
  e: "stderr",
  O: "stdout",
  E: "stderr",
  p: "stdout",
  q: "stderr",
  x: null,
  m: "agentctl"
}

export const flagFor = (stream: LogStream, kind: "line" | "cut" | "partial"): RecordFlag =>
  stream === "stdout"
    ? kind === "line"
      ? "o"
      : kind === "cut"
        ? "O"
        : "p"
    : kind === "line"
      ? "e"
      : kind === "cut"
        ? "E"
        : "q"

/** The prefix of a record, up to and including the space before its text. */
export const recordPrefix = (seq: number, at: number, flag: RecordFlag): string => `${seq} ${at} ${flag} `

/** Offset of the flag within a record that starts with `recordPrefix(seq, at, flag)`. */
export const flagOffset = (seq: number, at: number): number => `${seq} ${at} `.length

const DIGITS = /^[0-9]{1,16}$/

/**
 * Parses one stored record (without its newline). A line that is not a well-formed record is
 * returned as null: readers show it as raw text, never drop it.
 */
export const parseRecord = (line: string): (LogRecord & { readonly flag: RecordFlag }) | null => {
  const s1 = line.indexOf(" ")
  if (s1 <= 0) return null
  const s2 = line.indexOf(" ", s1 + 1)
  if (s2 <= s1 + 1 || line.charCodeAt(s2 + 2) !== 32 || s2 + 3 > line.length) return null
  const seqText = line.slice(0, s1)
  const atText = line.slice(s1 + 1, s2)
  if (!DIGITS.test(seqText) || !DIGITS.test(atText)) return null
  const flag = line[s2 + 1] as RecordFlag
  const stream = streamOf[flag]
  if (stream === undefined) return null
  return {
    seq: Number(seqText),
    at: Number(atText),
    flag,
    stream: stream ?? "stdout",
    text: line.slice(s2 + 3),
    cut: flag === "O" || flag === "E",
    partial: flag === "p" || flag === "q"
  }
}

/** A line of a raw log: stdout, time and sequence unknown. */
export const rawRecord = (text: string): LogRecord => ({
  seq: null,
  at: null,
  stream: "stdout",
  text,
  cut: false,
  partial: false
})
