import { parseRecord } from "@agentctl/core/LogRecord"
import { AgentLogWriter, type RotatedFile, type WriterSettings } from "@agentctl/shell/logs/AgentLogWriter"
import { type LogFileOps, nodeLogFileOps } from "@agentctl/shell/logs/LogFileOps"
import { readdirSync, readFileSync } from "node:fs"
import { afterEach, describe, expect, it } from "vitest"
import { cleanup, tempDir } from "./support.ts"

afterEach(cleanup)

const settings: WriterSettings = { maxSize: 1024 * 1024, maxLine: 64 }

const hooks = () => {
  const seen = { rotated: [] as Array<RotatedFile>, failed: [] as Array<string>, resumed: [] as Array<number>, grew: 0 }
  return {
    seen,
    hooks: {
      grew: (n: number) => void (seen.grew += n),
      rotated: (f: RotatedFile) => void seen.rotated.push(f),
      writeFailed: (error: unknown) => void seen.failed.push(String((error as { code?: string }).code)),
      writeResumed: (n: number) => void seen.resumed.push(n)
    }
  }
}

/** Every record of the agent's files, oldest first (rotated by name, then current.log). */
const records = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith(".log"))
    .toSorted((a, b) => (a === "current.log" ? 1 : b === "current.log" ? -1 : a < b ? -1 : 1))
    .flatMap((n) => readFileSync(`${dir}/${n}`, "utf8").split("\n").slice(0, -1))
    .map((line) => {
      const r = parseRecord(line)
      if (r === null) throw new Error(`not a record: ${JSON.stringify(line)}`)
      return r
    })

/** What a reader shows: whole lines, superseded partials skipped. */
const visible = (dir: string) => records(dir).filter((r) => r.flag !== "x")

const writer = (dir: string, s: WriterSettings = settings, ops: LogFileOps = nodeLogFileOps, lastSeq = 0) => {
  const h = hooks()
  let clock = 1000
  const w = new AgentLogWriter(dir, s, ops, () => clock++, h.hooks, lastSeq)
  return { w, seen: h.seen }
}

/** A file system that refuses every write while `full` is set, or tears the next one. */
const fillable = () => {
  const state = { full: false, tearNext: false }
  const ops: LogFileOps = {
    ...nodeLogFileOps,
    write: (fd, buffer, position) => {
      if (state.tearNext) {
        state.tearNext = false
        state.full = true
        return nodeLogFileOps.write(fd, buffer.subarray(0, Math.floor(buffer.length / 2)), position)
      }
      if (state.full && buffer.length > 1) throw Object.assign(new Error("no space"), { code: "ENOSPC" })
      return nodeLogFileOps.write(fd, buffer, position)
    }
  }
  return { state, ops }
}

describe("AgentLogWriter", () => {
  it.each([
    { name: "whole lines", chunks: ["a\nb\n"], lines: ["a", "b"] },
    { name: "a line split over chunks", chunks: ["he", "ll", "o\n"], lines: ["hello"] },
    { name: "several lines and a partial", chunks: ["a\nb", "c\nd\n"], lines: ["a", "bc", "d"] },
    { name: "an empty line", chunks: ["\n\n"], lines: ["", ""] },
    { name: "bytes kept as written (CR, tabs)", chunks: ["a\r\n\tb\n"], lines: ["a\r", "\tb"] }
  ])("stores $name as whole lines", ({ chunks, lines }) => {
    const dir = tempDir()
    const { w } = writer(dir)
    for (const c of chunks) w.ingest("stdout", Buffer.from(c))
    w.close()
    expect(visible(dir).map((r) => r.text)).toEqual(lines)
    expect(visible(dir).every((r) => r.stream === "stdout" && !r.partial)).toBe(true)
  })

  it("keeps bytes as written: invalid UTF-8, and a character split across two chunks", () => {
    const dir = tempDir()
    const { w } = writer(dir)
    const e = Buffer.from("é")
    w.ingest("stdout", Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from("caf"), e.subarray(0, 1)]))
    w.ingest("stdout", Buffer.concat([e.subarray(1), Buffer.from("\n")]))
    w.close()
    const bytes = readFileSync(`${dir}/current.log`)
    const lines = bytes
      .toString("latin1")
      .split("\n")
      .slice(0, -1)
      .map((l) => parseRecord(l)!)
      .filter((r) => r.flag !== "x")
      .map((r) => Buffer.from(r.text, "latin1"))
    expect(lines).toEqual([Buffer.from([0xff, 0xfe]), Buffer.from("café")])
  })

  it("numbers records from 1, increasing, with non-decreasing times", () => {
    const dir = tempDir()
    const { w } = writer(dir)
    w.ingest("stdout", Buffer.from("a\nb\n"))
    w.ingest("stderr", Buffer.from("c\n"))
    w.close()
    const rs = records(dir)
    expect(rs.map((r) => r.seq)).toEqual([1, 2, 3])
    expect(rs.map((r) => r.stream)).toEqual(["stdout", "stdout", "stderr"])
    expect(rs[0]!.at).toBeLessThanOrEqual(rs[2]!.at!)
  })

  it("writes a partial line at once, then supersedes it when the line completes", () => {
    const dir = tempDir()
    const { w } = writer(dir)
    w.ingest("stdout", Buffer.from("hel"))
    expect(visible(dir).map((r) => [r.flag, r.text])).toEqual([["p", "hel"]])
    w.ingest("stdout", Buffer.from("lo\n"))
    expect(records(dir).map((r) => [r.flag, r.text])).toEqual([
      ["x", "hel"],
      ["o", "hello"]
    ])
  })

  it("keeps the streams' partial lines apart", () => {
    const dir = tempDir()
    const { w } = writer(dir)
    w.ingest("stdout", Buffer.from("out-"))
    w.ingest("stderr", Buffer.from("err-"))
    w.ingest("stdout", Buffer.from("1\n"))
    w.ingest("stderr", Buffer.from("2\n"))
    w.close()
    expect(visible(dir).map((r) => [r.stream, r.text])).toEqual([
      ["stdout", "out-1"],
      ["stderr", "err-2"]
    ])
  })

  it("cuts a line longer than max_line, marks it and counts the rest", () => {
    const dir = tempDir()
    const { w } = writer(dir, { maxSize: 1 << 20, maxLine: 8 })
    w.ingest("stderr", Buffer.from("0123456789ab\nshort\n"))
    // A long line arriving in pieces: cut once, the rest discarded up to its newline.
    w.ingest("stdout", Buffer.from("abcdef"))
    w.ingest("stdout", Buffer.from("ghijkl"))
    w.ingest("stdout", Buffer.from("mn\nnext\n"))
    w.close()
    expect(visible(dir).map((r) => [r.flag, r.text])).toEqual([
      ["E", "01234567"],
      ["e", "short"],
      ["O", "abcdefgh"],
      ["o", "next"]
    ])
    expect(w.counters.cutLines).toBe(2)
    expect(w.counters.cutBytes).toBe(4 + 6)
  })

  it("rotates at max_size by renaming current.log after its first seq, never splitting a line", () => {
    const dir = tempDir()
    const { w, seen } = writer(dir, { maxSize: 100, maxLine: 64 })
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`)
    // Chunks cut mid-line, so partials are in flight at rotations.
    const text = lines.map((l) => `${l}\n`).join("")
    for (let i = 0; i < text.length; i += 7) w.ingest("stdout", Buffer.from(text.slice(i, i + 7)))
    w.close()
    expect(seen.rotated.length).toBeGreaterThan(5)
    expect(visible(dir).map((r) => r.text)).toEqual(lines)
    for (const f of seen.rotated) {
      const first = parseRecord(readFileSync(f.path, "utf8").split("\n")[0]!)
      expect(f.name).toBe(`${String(first!.seq).padStart(16, "0")}.log`)
      // Every file holds only whole lines: the last visible record of each is not a partial.
      const own = readFileSync(f.path, "utf8")
        .split("\n")
        .slice(0, -1)
        .map((l) => parseRecord(l)!)
      expect(own.filter((r) => r.flag !== "x").every((r) => !r.partial)).toBe(true)
    }
    const seqs = records(dir).map((r) => r.seq!)
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
  })

  it("a new writer (the next launcher) continues the seq and the in-flight partial of a killed one", () => {
    const dir = tempDir()
    const first = writer(dir)
    first.w.ingest("stdout", Buffer.from("a\nhalf of a li"))
    // Killed: no close(). The next launcher opens the same files.
    const second = writer(dir)
    second.w.ingest("stdout", Buffer.from("ne\nb\n"))
    second.w.close()
    expect(visible(dir).map((r) => [r.seq, r.text])).toEqual([
      [1, "a"],
      [3, "half of a line"],
      [4, "b"]
    ])
  })

  it("supersedes a partial whose whole line was written just before a kill", () => {
    const dir = tempDir()
    const first = writer(dir)
    first.w.ingest("stdout", Buffer.from("ab"))
    // Simulate a kill between writing the whole line and rewriting the partial's flag.
    const ops: LogFileOps = {
      ...nodeLogFileOps,
      write: (fd, b, p) => (b.length === 1 ? 1 : nodeLogFileOps.write(fd, b, p))
    }
    const killed = new AgentLogWriter(dir, settings, ops, () => 5000, hooks().hooks, 0)
    killed.ingest("stdout", Buffer.from("c\n"))
    expect(records(dir).map((r) => r.flag)).toEqual(["p", "o"])
    const next = writer(dir)
    next.w.close()
    expect(visible(dir).map((r) => r.text)).toEqual(["abc"])
  })

  it("cuts a record torn by a kill mid-write back to the last whole one", () => {
    const dir = tempDir()
    const { w } = writer(dir)
    w.ingest("stdout", Buffer.from("whole\n"))
    w.close()
    const ops = nodeLogFileOps
    const fd = ops.openForWrite(`${dir}/current.log`)
    const size = ops.size(fd)
    ops.write(fd, Buffer.from("2 1001 o tor"), size)
    ops.close(fd)
    const next = writer(dir)
    next.w.ingest("stdout", Buffer.from("after\n"))
    next.w.close()
    expect(visible(dir).map((r) => [r.seq, r.text])).toEqual([
      [1, "whole"],
      [2, "after"]
    ])
  })

  it("continues after the last rotated seq when current.log is gone", () => {
    const dir = tempDir()
    const { w } = writer(dir, settings, nodeLogFileOps, 41)
    w.ingest("stdout", Buffer.from("x\n"))
    w.close()
    expect(records(dir).map((r) => r.seq)).toEqual([42])
  })

  describe("when the disk is full", () => {
    it("drops and counts, reports once, keeps no torn record, and notes the gap when space returns", () => {
      const dir = tempDir()
      const { state, ops } = fillable()
      const { w, seen } = writer(dir, settings, ops)
      w.ingest("stdout", Buffer.from("before\n"))
      state.tearNext = true
      w.ingest("stdout", Buffer.from("torn away\n"))
      w.ingest("stdout", Buffer.from("lost 1\nlost 2\n"))
      state.full = false
      w.ingest("stdout", Buffer.from("after\n"))
      w.close()
      expect(seen.failed).toEqual(["ENOSPC"])
      expect(seen.resumed).toEqual([10 + 14])
      expect(w.counters.droppedBytes).toBe(24)
      expect(visible(dir).map((r) => [r.flag, r.text])).toEqual([
        ["o", "before"],
        ["m", "agentctl dropped 24 bytes of this agent's output: the log could not be written"],
        ["o", "after"]
      ])
    })

    it("never stores a line whose start was lost", () => {
      const dir = tempDir()
      const { state, ops } = fillable()
      const { w } = writer(dir, settings, ops)
      state.full = true
      w.ingest("stdout", Buffer.from("start of a long li"))
      state.full = false
      w.ingest("stdout", Buffer.from("ne\nnext\n"))
      w.close()
      expect(
        visible(dir)
          .filter((r) => r.flag !== "m")
          .map((r) => r.text)
      ).toEqual(["next"])
      expect(w.counters.droppedBytes).toBe(18 + 2)
    })
  })
})
