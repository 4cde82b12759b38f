import { afterEach, describe, expect, it } from "@effect/vitest"
import { closeSync, mkdtempSync, rmSync, statSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { noticeFifo, ReadyNotices } from "../src/ReadyNotices.ts"

/** Real FIFOs in a temp run dir: what an agent with `notify: true` writes to its fd 3. */
const dirs: Array<string> = []
const open: Array<ReadyNotices> = []
const runDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "agentctl-notify-"))
  dirs.push(dir)
  return dir
}
const opened = (dir: string) => {
  const notices = ReadyNotices.open(dir)
  open.push(notices)
  return notices
}

afterEach(() => {
  for (const n of open.splice(0)) n.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe("ReadyNotices", () => {
  it("a newline on the agent's descriptor is its notification; text before it is ignored", async () => {
    const dir = runDir()
    const notices = opened(dir)
    const fd = notices.descriptorFor("a")
    expect(statSync(noticeFifo(dir, "a")).isFIFO()).toBe(true)
    const since = Date.now()
    const seen = notices.await("a", since)
    writeSync(fd, "READY=1")
    writeSync(fd, "\n")
    expect(await seen).toBeGreaterThanOrEqual(since)
    closeSync(fd)
  })

  it("a notification before `since` does not count; the next one does", async () => {
    const dir = runDir()
    const notices = opened(dir)
    const fd = notices.descriptorFor("a")
    writeSync(fd, "\n")
    await notices.await("a", 0)
    const later = Date.now() + 1
    let resolved = false
    const seen = notices.await("a", later).then((at) => {
      resolved = true
      return at
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(resolved).toBe(false)
    writeSync(fd, "\n")
    expect(await seen).toBeGreaterThanOrEqual(later)
    closeSync(fd)
  })

  it("a new launcher reads the FIFO an adopted agent still holds", async () => {
    const dir = runDir()
    const first = opened(dir)
    const fd = first.descriptorFor("a")
    first.close()
    const second = opened(dir)
    const seen = second.await("a", 0)
    writeSync(fd, "\n")
    expect(await seen).toBeGreaterThan(0)
    closeSync(fd)
  })
})
