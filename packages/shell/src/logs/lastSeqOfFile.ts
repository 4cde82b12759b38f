/**
 * The seq of the last record in a rotated file: where the next current.log continues when a
 * launcher was killed right after a rotation, before it wrote the new file's first record.
 */
import { parseRecord } from "@agentctl/core/LogRecord"
import * as fs from "node:fs"
import { nodeLogFileOps } from "./LogFileOps.ts"

const TAIL_BYTES = 256 * 1024

/** `firstSeq`: from the file's name, the answer for a file without a single record. */
export const lastSeqOfFile = (path: string, firstSeq: number): number => {
  const bytes = path.endsWith(".gz")
    ? process.getBuiltinModule("node:zlib").gunzipSync(fs.readFileSync(path))
    : (nodeLogFileOps.readTail(path, TAIL_BYTES) ?? Buffer.alloc(0))
  const lines = bytes.toString("utf8").split("\n")
  for (let i = lines.length - 1; i >= 0; i--) {
    const record = parseRecord(lines[i] ?? "")
    if (record?.seq != null) return Math.max(record.seq, firstSeq)
  }
  return firstSeq
}
