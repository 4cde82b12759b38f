/**
 * OomKills from the cgroup file systems: `/proc/<pid>/cgroup` names the instance's cgroup, whose
 * `memory.events` (v2) or `memory.oom_control` (v1) counts the kernel's OOM kills in it; and from
 * the kernel log, `/dev/kmsg`, which names each victim. Small files under /proc and /sys, read
 * synchronously as the prober reads /proc; the log only when an instance ended SIGKILLed.
 */
import { oomCountFiles, parseOomKills } from "@agentctl/core/cgroupText"
import { parseOomVictims } from "@agentctl/core/kmsgText"
import { type OomCount, OomKills } from "@agentctl/core/OomKills"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { closeSync, constants, openSync, readFileSync, readSync } from "node:fs"
import { errorCode } from "./errno.ts"

/**
 * A file's text, or null. Every failure means the same here (no cgroup file system, no memory
 * controller, the root cgroup, no permission, the pid gone): no evidence, so no exit is called
 * `oom`. That is OomKills' contract, not a lost error.
 */
const readOrNull = (file: string): string | null => {
  try {
    return readFileSync(file, "latin1")
  } catch {
    return null
  }
}

const countIn = (file: string): OomCount | null => {
  const text = readOrNull(file)
  const kills = text === null ? null : parseOomKills(text)
  return kills === null ? null : { file, kills }
}

/**
 * The kernel log's records, oldest first, as far back as its ring buffer goes; null when it
 * cannot be read (no /dev/kmsg, `kernel.dmesg_restrict` without CAP_SYSLOG): no evidence, as above.
 * Each read(2) of /dev/kmsg returns one record; EAGAIN is the end, EPIPE a record overwritten
 * while we read (the next read goes on with the oldest one left).
 */
const readKernelLog = (): string | null => {
  let fd: number
  try {
    fd = openSync("/dev/kmsg", constants.O_RDONLY | constants.O_NONBLOCK)
  } catch {
    return null
  }
  const records: Array<string> = []
  const buffer = Buffer.alloc(8192)
  try {
    for (;;) {
      try {
        const n = readSync(fd, buffer, 0, buffer.length, null)
        if (n === 0) break
        records.push(buffer.toString("utf8", 0, n))
      } catch (error) {
        if (errorCode(error) === "EPIPE") continue
        if (errorCode(error) === "EAGAIN") break
        return null
      }
    }
  } finally {
    closeSync(fd)
  }
  return records.join("")
}

export const layer: Layer.Layer<OomKills> = Layer.succeed(
  OomKills,
  OomKills.of({
    count: (pid) =>
      Effect.sync(() => {
        const cgroup = readOrNull(`/proc/${pid}/cgroup`)
        if (cgroup === null) return null
        for (const file of oomCountFiles(cgroup)) {
          const found = countIn(file)
          if (found !== null) return found
        }
        return null
      }),
    recount: (before) => Effect.sync(() => countIn(before.file)),
    victims: Effect.sync(() => {
      const log = readKernelLog()
      return log === null ? null : parseOomVictims(log)
    })
  })
)
