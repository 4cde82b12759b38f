import { Prober } from "@agentctl/core/Prober"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { layer } from "../src/ProcProber.ts"
import { readHostConstantsSync } from "../src/procfsSync.ts"
import { proberContract } from "./proberContract.ts"

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
})
