import { Signals } from "@agentctl/core/Signals"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { layer } from "../src/NodeSignals.ts"
import { readSnapshotSync } from "../src/procfsSync.ts"
import { cleanup, isAlive, PATH, runToExit, startDetached, track, waitFor } from "./support.ts"

describe("NodeSignals", () => {
  afterEach(cleanup)

  it.live("send delivers the signal", () =>
    Effect.gen(function* () {
      const pid = yield* Effect.promise(() => startDetached("sleep", ["60"]))
      yield* (yield* Signals).send(pid, "SIGTERM")
      yield* Effect.promise(() => waitFor("the sleep to die", () => (isAlive(pid) ? undefined : true)))
    }).pipe(Effect.provide(layer))
  )

  it.live("sendGroup reaches the whole session, children included", () =>
    Effect.gen(function* () {
      const leader = yield* Effect.promise(() => startDetached("sh", ["-c", "sleep 60 & wait"], { env: { PATH } }))
      const child = yield* Effect.promise(() =>
        waitFor("the child sleep", () => {
          for (const p of readSnapshotSync().processes.values()) if (p.ppid === leader) return track(p.pid)
          return undefined
        })
      )
      yield* (yield* Signals).sendGroup(leader, "SIGKILL")
      yield* Effect.promise(() =>
        waitFor("the group to die", () => (isAlive(leader) || isAlive(child) ? undefined : true))
      )
    }).pipe(Effect.provide(layer))
  )

  it.live("a gone pid is ProcessGone, naming pid and signal", () =>
    Effect.gen(function* () {
      const pid = yield* Effect.promise(() => runToExit("true", []))
      const signals = yield* Signals
      const error = yield* Effect.flip(signals.send(pid, "SIGTERM"))
      expect(error).toMatchObject({ _tag: "ProcessGone", pid })
      expect(error.message).toContain(String(pid))
      expect(error.message).toContain("SIGTERM")
      const groupError = yield* Effect.flip(signals.sendGroup(pid, "SIGINT"))
      expect(groupError).toMatchObject({ _tag: "ProcessGone", pid })
    }).pipe(Effect.provide(layer))
  )

  it.effect.each([
    { pid: 1, group: false },
    { pid: 0, group: false },
    { pid: -1, group: false },
    { pid: 1, group: true },
    { pid: 0, group: true },
    { pid: -5, group: true },
    { pid: 1.5, group: false }
  ])("refuses init and kill(-1)-style targets: $pid (group: $group)", ({ pid, group }) =>
    Effect.gen(function* () {
      const signals = yield* Signals
      const error = yield* Effect.flip(group ? signals.sendGroup(pid, "SIGKILL") : signals.send(pid, "SIGKILL"))
      expect(error).toMatchObject({ _tag: "SignalDenied", pid: Number.isInteger(pid) ? pid : 0, signal: "SIGKILL" })
      expect(error.message).toContain(String(pid))
    }).pipe(Effect.provide(layer))
  )
})
