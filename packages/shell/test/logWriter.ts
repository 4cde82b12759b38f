/**
 * A stand-in for the launcher's side of the log layout, for the readers' tests: records appended
 * to current.log, rotation by rename, compression with the real compressSegment.
 */
import { currentLogFile, rawLogFile, rotatedName } from "@agentctl/core/LogLayout"
import { flagFor, type RecordFlag, recordPrefix } from "@agentctl/core/LogRecord"
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { compressSegment } from "../src/internal/gzSegment.ts"

export interface Line {
  readonly text: string
  readonly stream?: "stdout" | "stderr"
  readonly flag?: RecordFlag
  readonly at?: number
}

export const makeWriter = (runDir: string, id: string, startAt = 1_000_000) => {
  const current = currentLogFile(runDir, id)
  mkdirSync(dirname(current), { recursive: true })
  let seq = 0
  let firstOfCurrent = 1
  let at = startAt
  return {
    current,
    get seq() {
      return seq
    },
    /** Appends records, one ms apart unless `at` says otherwise; returns their seqs. */
    append: (...lines: ReadonlyArray<Line | string>): ReadonlyArray<number> =>
      lines.map((l) => {
        const line = typeof l === "string" ? { text: l } : l
        seq++
        at = line.at ?? at + 1
        appendFileSync(
          current,
          `${recordPrefix(seq, at, line.flag ?? flagFor(line.stream ?? "stdout", "line"))}${line.text}\n`
        )
        return seq
      }),
    /** A line that is not a record. */
    appendGarbage: (text: string) => appendFileSync(current, `${text}\n`),
    /** Renames current.log to its rotated name (and compresses it when asked), then starts a new one. */
    rotate: async (compress = false) => {
      const rotated = join(dirname(current), rotatedName(firstOfCurrent, false))
      renameSync(current, rotated)
      writeFileSync(current, "")
      firstOfCurrent = seq + 1
      if (compress) {
        await compressSegment(rotated, join(dirname(current), rotatedName(Number(rotated.match(/(\d{16})/)![1]), true)))
        rmSync(rotated)
      }
    }
  }
}

export const writeRaw = (runDir: string, id: string, lines: ReadonlyArray<string>) => {
  mkdirSync(runDir, { recursive: true })
  writeFileSync(rawLogFile(runDir, id), lines.map((l) => `${l}\n`).join(""))
}
