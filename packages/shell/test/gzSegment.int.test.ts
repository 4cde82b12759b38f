import { recordPrefix } from "@agentctl/core/LogRecord"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from "node:fs"
import { open } from "node:fs/promises"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { compressSegment, MEMBER_BYTES, readIndex, readMember, readWhole } from "../src/internal/gzSegment.ts"
import { cleanup, tempDir } from "./support.ts"

const records = (first: number, count: number, width = 40) =>
  Array.from(
    { length: count },
    (_, i) => `${recordPrefix(first + i, 1000 + first + i, "o")}${"x".repeat(width)} ${i}\n`
  ).join("")

const withHandle = async <A>(file: string, f: (h: Awaited<ReturnType<typeof open>>, size: number) => Promise<A>) => {
  const handle = await open(file, "r")
  try {
    return await f(handle, (await handle.stat()).size)
  } finally {
    await handle.close()
  }
}

describe("gzSegment", () => {
  afterEach(cleanup)

  it.each([
    ["empty", ""],
    ["one record", records(1, 1)],
    ["several members", records(1, 20_000)],
    [
      "a record longer than a member",
      `${records(1, 3)}${recordPrefix(4, 1004, "o")}${"y".repeat(MEMBER_BYTES * 2)}\n${records(5, 3)}`
    ],
    ["no final newline", `${records(1, 2)}1 2 o tail`]
  ])("%s: zcat prints exactly the input, the members put together are the input", async (_, text) => {
    const dir = tempDir()
    const src = join(dir, "0000000000000001.log")
    const dst = `${src}.gz`
    writeFileSync(src, text)
    utimesSync(src, new Date(5000), new Date(7000))
    const { bytes } = await compressSegment(src, dst)
    expect(statSync(dst).size).toBe(bytes)
    expect(statSync(dst).mtimeMs).toBe(7000)
    expect(execFileSync("gzip", ["-dc", dst], { maxBuffer: 64 * 1024 * 1024 }).toString("utf8")).toBe(text)
    await withHandle(dst, async (handle, size) => {
      const index = await readIndex(handle, size, dst)
      expect(index).not.toBeNull()
      const parts = await Promise.all(index!.members.map((m) => readMember(handle, m, dst)))
      expect(Buffer.concat(parts).toString("utf8")).toBe(text)
      for (const part of parts.slice(0, -1)) expect(part.at(-1)).toBe(0x0a)
      if (text.length > MEMBER_BYTES) expect(index!.members.length).toBeGreaterThan(1)
    })
  })

  it("the index tells each member's first seq and time, and the file's last", async () => {
    const dir = tempDir()
    const src = join(dir, "a.log")
    writeFileSync(src, records(1, 20_000))
    await compressSegment(src, `${src}.gz`)
    await withHandle(`${src}.gz`, async (handle, size) => {
      const index = (await readIndex(handle, size, `${src}.gz`))!
      expect(index.members[0]).toMatchObject({ offset: 0, firstSeq: 1, firstAt: 1001 })
      expect(index.lastSeq).toBe(20_000)
      expect(index.lastAt).toBe(21_000)
      for (const m of index.members) {
        expect(m.inputBytes).toBeLessThanOrEqual(MEMBER_BYTES)
        const first = (await readMember(handle, m, `${src}.gz`)).toString("utf8").split(" ", 2)
        expect([Number(first[0]), Number(first[1])]).toEqual([m.firstSeq, m.firstAt])
      }
    })
  })

  it("a file made by gzip(1) has no index: read whole", async () => {
    const dir = tempDir()
    const file = join(dir, "plain.log.gz")
    writeFileSync(file, gzipSync(records(1, 10)))
    await withHandle(file, async (handle, size) => {
      expect(await readIndex(handle, size, file)).toBeNull()
      expect((await readWhole(handle, size, file)).toString("utf8")).toBe(records(1, 10))
    })
  })

  it("a truncated or damaged file is refused, naming the file", async () => {
    const dir = tempDir()
    const src = join(dir, "a.log")
    writeFileSync(src, records(1, 20_000))
    const dst = `${src}.gz`
    await compressSegment(src, dst)
    const whole = readFileSync(dst)
    // Truncated: the index is gone, and decompressing what is left fails.
    truncateSync(dst, Math.floor(whole.length / 2))
    await withHandle(dst, async (handle, size) => {
      expect(await readIndex(handle, size, dst)).toBeNull()
      await expect(readWhole(handle, size, dst)).rejects.toMatchObject({ file: dst, message: /cannot decompress/ })
    })
    // A member's bytes damaged: its index is fine, the member is not.
    const damaged = Buffer.from(whole)
    damaged.fill(0x55, 100, 200)
    writeFileSync(dst, damaged)
    await withHandle(dst, async (handle, size) => {
      const index = (await readIndex(handle, size, dst))!
      await expect(readMember(handle, index.members[0]!, dst)).rejects.toMatchObject({ file: dst })
    })
    // The index's offsets damaged.
    const badIndex = Buffer.from(whole)
    const xlen = badIndex.readUInt32LE(badIndex.length - 14)
    badIndex.writeDoubleLE(12345, badIndex.length - 10 - 4 - (xlen - 8) + 24 + 32)
    writeFileSync(dst, badIndex)
    await withHandle(dst, (handle, size) =>
      expect(readIndex(handle, size, dst)).rejects.toMatchObject({ file: dst, message: /index is damaged/ })
    )
  })
})
