import { Prober } from "@agentctl/core/Prober"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { existsSync, readFileSync } from "node:fs"
import { layer } from "../src/PsProber.ts"
import { proberContract } from "./proberContract.ts"

proberContract("PsProber (ps)", layer)

describe("PsProber", () => {
  it.effect("start times are unix seconds; boot id from /proc when there is one", () =>
    Effect.gen(function* () {
      const snapshot = yield* (yield* Prober).snapshot
      expect(snapshot.ticksPerSecond).toBe(1)
      expect(snapshot.bootTimeMs).toBe(0)
      const self = snapshot.processes.get(process.pid)
      expect(self?.startTime).toBeGreaterThan(1_000_000_000)
      const bootIdFile = "/proc/sys/kernel/random/boot_id"
      expect(snapshot.bootId).toBe(existsSync(bootIdFile) ? readFileSync(bootIdFile, "utf8").trim() : "")
    }).pipe(Effect.provide(layer))
  )
})
