import { describe, expect, it } from "vitest"
import { lockKey, parseLockHolders } from "../src/procLocks.ts"

const sample = [
  "1: POSIX  ADVISORY  WRITE 7232 fe:00:2146568 1073741824 1073742335",
  "1: -> POSIX  ADVISORY  WRITE 7300 fe:00:2146568 1073741824 1073742335",
  "2: FLOCK  ADVISORY  WRITE 7001 fe:00:2146568 0 EOF",
  "3: OFDLCK ADVISORY  READ  -1 fe:00:2146568 0 EOF",
  "4: POSIX  ADVISORY  WRITE 8000 fe:00:999 0 EOF",
  "5: POSIX  ADVISORY  WRITE 8001 00:27:2146568 0 EOF",
  ""
].join("\n")

describe("/proc/locks", () => {
  it.each([
    [0xfe00n, 2146568n, "fe:00:2146568"],
    [39n, 2146993n, "00:27:2146993"],
    [0x801n, 12n, "08:01:12"],
    // a large minor number spills into the high bits of st_dev
    [(0x103n << 8n) | 0x45n | (0x2n << 20n), 1n, "103:245:1"]
  ])("lockKey(%s, %s) is %s", (dev, ino, key) => {
    expect(lockKey(dev, ino)).toBe(key)
  })

  it("holders of POSIX and OFD locks on that file only: not waiters, not flock(2), not other files", () => {
    expect(parseLockHolders(sample, "fe:00:2146568")).toEqual([7232, -1])
    expect(parseLockHolders(sample, "00:27:2146568")).toEqual([8001])
    expect(parseLockHolders(sample, "fe:00:1")).toEqual([])
  })
})
