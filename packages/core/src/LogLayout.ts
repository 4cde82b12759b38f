/**
 * Where an agent's output lives under `run/` (the acceptance checks measure `run/` as the logs'
 * disk use, so everything stays inside it):
 *
 * - `run/logs/<id>/current.log`: records (LogRecord.ts) the launcher is appending to now.
 * - `run/logs/<id>/<first seq, 16 digits>.log[.gz]`: rotated files, oldest first by name.
 * - `run/logs/<id>/stdout.fifo`, `stderr.fifo`: the pipes an agent started by the launcher writes
 *   to. The agent holds each open read-write, so it never gets SIGPIPE; while no launcher reads,
 *   it blocks once the pipe buffer is full.
 * - `run/<id>.log`: raw output of an agent started without a launcher (no agentctl process runs
 *   to split its lines), and the whole log of earlier versions. Read as stdout lines of unknown
 *   time; taken into the records by the next `launcher start` or `logs --rotate`.
 */

const SEQ_DIGITS = 16

export const agentLogDir = (runDir: string, id: string): string => `${runDir}/logs/${id}`
export const currentLogFile = (runDir: string, id: string): string => `${agentLogDir(runDir, id)}/current.log`
export const rawLogFile = (runDir: string, id: string): string => `${runDir}/${id}.log`
export const fifoFile = (runDir: string, id: string, stream: "stdout" | "stderr"): string =>
  `${agentLogDir(runDir, id)}/${stream}.fifo`

export const rotatedName = (firstSeq: number, compressed: boolean): string =>
  `${String(firstSeq).padStart(SEQ_DIGITS, "0")}.log${compressed ? ".gz" : ""}`

const ROTATED = /^([0-9]{16})\.log(\.gz)?$/

/** A rotated file's first seq and whether it is compressed; null for any other name. */
export const parseRotatedName = (name: string): { readonly firstSeq: number; readonly compressed: boolean } | null => {
  const m = ROTATED.exec(name)
  return m === null ? null : { firstSeq: Number(m[1]), compressed: m[2] !== undefined }
}
