import { Prober } from "@agentctl/core/Prober"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { layer } from "../src/ProcProber.ts"
import { readHostConstantsSync, readSnapshotSync } from "../src/procfsSync.ts"
import { proberContract } from "./proberContract.ts"
import { cleanup, PATH, startDetached, tempDir } from "./support.ts"

proberContract("ProcProber (/proc)", layer)

describe("ProcProber", () => {
  it.effect("host constants come from /proc: boot id, btime, USER_HZ", () =>
    Effect.gen(function* () {
      const snapshot = yield* (yield* Prober).snapshot
      expect(snapshot.bootId).toBe(readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim())
      expect(snapshot.bootTimeMs).toBe(readHostConstantsSync().bootTimeMs)
      expect(snapshot.bootTimeMs % 1000).toBe(0)
      expect(snapshot.ticksPerSecond).toBe(100)
    }).pipe(Effect.provide(layer))
  )

  describe("snapshotAfter", () => {
    afterEach(cleanup)

    it.live(
      "takes a leader's marker from the earlier snapshot when pid and start time match, and reads it when not",
      () =>
        Effect.gen(function* () {
          const fleet = tempDir()
          const pid = yield* Effect.promise(() =>
            startDetached("sleep", ["60"], { env: { PATH, AGENTCTL_FLEET: fleet, AGENTCTL_AGENT: "m1" } })
          )
          let first = readSnapshotSync()
          for (let i = 0; i < 100 && first.processes.get(pid)?.comm !== "sleep"; i++) {
            yield* Effect.sleep("20 millis")
            first = readSnapshotSync()
          }
          const info = first.processes.get(pid)!
          expect(info.marker).toEqual({ fleet, agent: "m1" })
          // An earlier snapshot that says otherwise about the same process is believed: no read.
          const doctored = (startTime: number) => ({
            ...first,
            processes: new Map([[pid, { ...info, startTime, marker: { fleet: "/elsewhere", agent: "x" } }]])
          })
          expect(readSnapshotSync({ previous: doctored(info.startTime) }).processes.get(pid)?.marker).toEqual({
            fleet: "/elsewhere",
            agent: "x"
          })
          // Another start time is another process: its marker is read.
          expect(readSnapshotSync({ previous: doctored(info.startTime + 1) }).processes.get(pid)?.marker).toEqual({
            fleet,
            agent: "m1"
          })
        })
    )
  })
})
