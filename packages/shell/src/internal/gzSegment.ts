/**
 * A rotated log file, compressed so that its LAST lines cost what is read, not the whole file:
 * a sequence of independent gzip members, each holding at most `MEMBER_BYTES` of the input cut
 * after a newline, then an index of the members. `zcat` concatenates members (RFC 1952 §2.2), so
 * the file stays a plain gzip file that prints exactly the original records.
 *
 * The index lives in the FEXTRA field of a final EMPTY member (an empty member decompresses to
 * nothing), laid out so a reader finds it from the end:
 *
 *     1f 8b 08 04 | mtime 0 | xfl 0 | os ff | XLEN | 'A' 'L' LEN | index | index length (u32)
 *     03 00 (an empty final deflate block) | CRC32 0 | ISIZE 0
 *
 * The index (little-endian): magic `AGL1`, member count (u32), the file's last seq and time
 * (f64, -1 when unknown), then per member: offset (f64), compressed length (u32), input length
 * (u32), first seq and first time (f64, -1 when the member holds no well-formed record).
 */
import { parseRecord } from "@agentctl/core/LogRecord"
import type { FileHandle } from "node:fs/promises"
import { open, rename, rm, stat, utimes } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { readAt } from "./readAt.ts"

/*
 * node:zlib is taken when a member is first packed or unpacked, not at import: most commands
 * that load the log layers read no rotated file (and an ES-module import of node:util, for
 * promisify, reads every export of it, which loads worker_threads among others).
 */
const zlib = () => process.getBuiltinModule("node:zlib")
const gzip = (body: Buffer, level: number) =>
  new Promise<Buffer>((resolve, reject) =>
    zlib().gzip(body, { level }, (error, out) => (error === null ? resolve(out) : reject(error)))
  )
const gunzip = (bytes: Buffer) =>
  new Promise<Buffer>((resolve, reject) =>
    zlib().gunzip(bytes, (error, out) => (error === null ? resolve(out) : reject(error)))
  )
/**
 * Level 1: on records, ~150 MB/s of one core for 18% of their size, against ~67 MB/s for 14% at
 * zlib's default 6. Compression runs beside the launcher on a machine the agents share; keeping
 * up with a fast writer matters more than the last 4%.
 */
const GZIP_LEVEL = 1

/** The most input one member holds (unless one record alone is longer: members cut only after a newline). */
export const MEMBER_BYTES = 256 * 1024

const MAGIC = Buffer.from("AGL1", "latin1")
const HEADER_BYTES = 4 + 4 + 8 + 8
const ENTRY_BYTES = 8 + 4 + 4 + 8 + 8
/** XLEN is 16 bits; the subfield's own 4 header bytes and the trailing length come out of it. */
const MAX_PAYLOAD = 65535 - 4 - 4
const MAX_MEMBERS = Math.floor((MAX_PAYLOAD - HEADER_BYTES) / ENTRY_BYTES)
/** The empty member's fixed tail: an empty final stored-less deflate block, CRC32 0, ISIZE 0. */
const TAIL = Buffer.from([0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])
const NEWLINE = 0x0a

export interface GzMember {
  readonly offset: number
  readonly length: number
  readonly inputBytes: number
  /** -1 when the member holds no well-formed record. */
  readonly firstSeq: number
  readonly firstAt: number
}

export interface GzIndex {
  readonly members: ReadonlyArray<GzMember>
  readonly lastSeq: number
  readonly lastAt: number
}

/** A gzip file that is not what its index says: named, so a user knows which file to look at. */
export class SegmentCorrupt extends Error {
  readonly file: string
  constructor(file: string, why: string) {
    super(why)
    this.file = file
  }
}

const firstRecordOf = (bytes: Buffer): { seq: number; at: number } => {
  let start = 0
  while (start < bytes.length) {
    const end = bytes.indexOf(NEWLINE, start)
    const record = parseRecord(bytes.toString("utf8", start, end < 0 ? bytes.length : end))
    if (record !== null && record.seq !== null && record.at !== null) return { seq: record.seq, at: record.at }
    if (end < 0) break
    start = end + 1
  }
  return { seq: -1, at: -1 }
}

const lastRecordOf = (bytes: Buffer): { seq: number; at: number } | null => {
  let end = bytes.length
  if (bytes[end - 1] === NEWLINE) end--
  while (end > 0) {
    const start = bytes.lastIndexOf(NEWLINE, end - 1) + 1
    const record = parseRecord(bytes.toString("utf8", start, end))
    if (record !== null && record.seq !== null && record.at !== null) return { seq: record.seq, at: record.at }
    end = start - 1
  }
  return null
}

const indexMember = (index: GzIndex): Buffer => {
  const payload = Buffer.alloc(HEADER_BYTES + index.members.length * ENTRY_BYTES)
  MAGIC.copy(payload, 0)
  payload.writeUInt32LE(index.members.length, 4)
  payload.writeDoubleLE(index.lastSeq, 8)
  payload.writeDoubleLE(index.lastAt, 16)
  index.members.forEach((m, i) => {
    const at = HEADER_BYTES + i * ENTRY_BYTES
    payload.writeDoubleLE(m.offset, at)
    payload.writeUInt32LE(m.length, at + 8)
    payload.writeUInt32LE(m.inputBytes, at + 12)
    payload.writeDoubleLE(m.firstSeq, at + 16)
    payload.writeDoubleLE(m.firstAt, at + 24)
  })
  const xlen = 4 + payload.length + 4
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0x00, 0xff, 0, 0, 0x41, 0x4c, 0, 0])
  header.writeUInt16LE(xlen, 10)
  header.writeUInt16LE(payload.length + 4, 14)
  const length = Buffer.alloc(4)
  length.writeUInt32LE(xlen, 0)
  return Buffer.concat([header, payload, length, TAIL])
}

/**
 * Writes `dst` (via a temp name and rename) from the plain record file `src`, and gives `dst` the
 * mtime of `src`: readers take a rotated file's mtime as an upper bound of its records' times.
 */
export const compressSegment = async (src: string, dst: string): Promise<{ readonly bytes: number }> => {
  const info = await stat(src)
  // A member of at least twice size/MAX_MEMBERS keeps the count under MAX_MEMBERS even when long
  // records leave members half empty (two neighbours always hold more than one member's worth).
  const memberBytes = Math.max(MEMBER_BYTES, Math.ceil((2 * info.size) / (MAX_MEMBERS - 1)))
  const tmp = join(dirname(dst), `${basename(dst)}.${process.pid}.${Date.now().toString(36)}.tmp`)
  const input = await open(src, "r")
  let out: FileHandle | null = null
  try {
    out = await open(tmp, "wx", 0o644)
    const members: Array<GzMember> = []
    let offset = 0
    let position = 0
    let last: { seq: number; at: number } | null = null
    while (position < info.size) {
      let chunk = await readAt(input, Math.min(memberBytes, info.size - position), position)
      if (chunk.length === 0) break
      let cut = chunk.lastIndexOf(NEWLINE)
      // One record longer than a member: extend until its newline (or the end of the file).
      while (cut < 0 && position + chunk.length < info.size) {
        const more = await readAt(input, memberBytes, position + chunk.length)
        if (more.length === 0) break
        const i = more.indexOf(NEWLINE)
        chunk = Buffer.concat([chunk, i < 0 ? more : more.subarray(0, i + 1)])
        if (i >= 0) cut = chunk.length - 1
      }
      const body = cut < 0 || position + chunk.length >= info.size ? chunk : chunk.subarray(0, cut + 1)
      const compressed = await gzip(body, GZIP_LEVEL)
      await out.write(compressed, 0, compressed.length, offset)
      const first = firstRecordOf(body)
      members.push({
        offset,
        length: compressed.length,
        inputBytes: body.length,
        firstSeq: first.seq,
        firstAt: first.at
      })
      last = lastRecordOf(body) ?? last
      offset += compressed.length
      position += body.length
    }
    const trailer = indexMember({ members, lastSeq: last?.seq ?? -1, lastAt: last?.at ?? -1 })
    await out.write(trailer, 0, trailer.length, offset)
    await out.datasync()
    await out.close()
    out = null
    await utimes(tmp, info.atime, info.mtime)
    await rename(tmp, dst)
    return { bytes: offset + trailer.length }
  } catch (error) {
    await out?.close().catch(() => undefined)
    await rm(tmp, { force: true }).catch(() => undefined)
    throw error
  } finally {
    await input.close()
  }
}

/**
 * The index at the end of `handle` (a file of `size` bytes), or null when the file has none (made
 * by gzip(1), say): its reader then decompresses the file whole. An index that is there but does
 * not fit the file is a SegmentCorrupt.
 */
export const readIndex = async (handle: FileHandle, size: number, file: string): Promise<GzIndex | null> => {
  if (size < 16 + HEADER_BYTES + 4 + TAIL.length) return null
  const end = await readAt(handle, 4 + TAIL.length, size - 4 - TAIL.length)
  if (end.length < 4 + TAIL.length || !end.subarray(4).equals(TAIL)) return null
  const xlen = end.readUInt32LE(0)
  const memberStart = size - TAIL.length - xlen - 12
  if (xlen < 8 + HEADER_BYTES || xlen > 65535 || memberStart < 0) return null
  const member = await readAt(handle, 12 + xlen, memberStart)
  if (
    member[0] !== 0x1f ||
    member[1] !== 0x8b ||
    member[3] !== 0x04 ||
    member.readUInt16LE(10) !== xlen ||
    member[12] !== 0x41 ||
    member[13] !== 0x4c ||
    member.readUInt16LE(14) !== xlen - 4 ||
    !member.subarray(16, 20).equals(MAGIC)
  ) {
    return null
  }
  const payload = member.subarray(16, 16 + xlen - 8)
  const count = payload.readUInt32LE(4)
  if (HEADER_BYTES + count * ENTRY_BYTES !== payload.length)
    throw new SegmentCorrupt(file, "its member index is damaged")
  const members: Array<GzMember> = []
  let expected = 0
  for (let i = 0; i < count; i++) {
    const at = HEADER_BYTES + i * ENTRY_BYTES
    const m: GzMember = {
      offset: payload.readDoubleLE(at),
      length: payload.readUInt32LE(at + 8),
      inputBytes: payload.readUInt32LE(at + 12),
      firstSeq: payload.readDoubleLE(at + 16),
      firstAt: payload.readDoubleLE(at + 24)
    }
    if (m.offset !== expected) throw new SegmentCorrupt(file, `its member index is damaged (member ${i + 1})`)
    expected += m.length
    members.push(m)
  }
  if (expected !== memberStart) throw new SegmentCorrupt(file, "its member index does not match its size")
  return { members, lastSeq: payload.readDoubleLE(8), lastAt: payload.readDoubleLE(16) }
}

const inflate = async (file: string, bytes: Buffer): Promise<Buffer> => {
  try {
    return await gunzip(bytes)
  } catch (error) {
    throw new SegmentCorrupt(file, `cannot decompress (${error instanceof Error ? error.message : String(error)})`)
  }
}

/** One member's input bytes. */
export const readMember = async (handle: FileHandle, member: GzMember, file: string): Promise<Buffer> => {
  const bytes = await readAt(handle, member.length, member.offset)
  if (bytes.length < member.length) throw new SegmentCorrupt(file, "it is shorter than its index says")
  return inflate(file, bytes)
}

/** The whole file decompressed: for a `.gz` without an index. */
export const readWhole = async (handle: FileHandle, size: number, file: string): Promise<Buffer> =>
  inflate(file, await readAt(handle, size, 0))
