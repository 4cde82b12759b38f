/**
 * Prober for Linux: reads /proc directly (no child processes). Start times are clock ticks after
 * boot, as in /proc/<pid>/stat field 22.
 */
import { ProbeFailed } from "@agentctl/core/Errors"
import { Prober } from "@agentctl/core/Prober"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readArgvSync, readHostConstantsSync, readSnapshotSync, readUsageSync } from "./procfsSync.ts"

const probeFailed = (what: string) => (error: unknown) => ProbeFailed.fromCause("/proc", what, error)

export const layer: Layer.Layer<Prober> = Layer.succeed(
  Prober,
  Prober.of({
    snapshot: Effect.try({
      try: readSnapshotSync,
      catch: probeFailed("the process table")
    }).pipe(Effect.withSpan("ProcProber.snapshot")),
    snapshotAfter: (previous) =>
      Effect.try({
        try: () => readSnapshotSync({ previous }),
        catch: probeFailed("the process table")
      }).pipe(Effect.withSpan("ProcProber.snapshotAfter")),
    bootId: Effect.try({
      try: () => readHostConstantsSync().bootId,
      catch: probeFailed("the boot id and boot time")
    }),
    usage: Effect.fn("ProcProber.usage")(function* (pid: number) {
      const now = yield* Clock.currentTimeMillis
      return yield* Effect.try({
        try: () => readUsageSync(pid, now),
        catch: probeFailed(`the usage of pid ${pid}`)
      })
    }),
    argv: (pid) => Effect.sync(() => readArgvSync(pid))
  })
)
