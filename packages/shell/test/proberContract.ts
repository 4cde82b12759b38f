/**
 * What every Prober must do, checked against real processes. Run by ProcProber.int.test.ts and
 * PsProber.int.test.ts (and, in core, the fake can be held to the same questions).
 */
import { Prober } from "@agentctl/core/Prober"
import type { ProcessInfo, Snapshot } from "@agentctl/core/ProcessTable"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { copyFileSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { cleanup, PATH, runToExit, startDetached, tempDir, track } from "./support.ts"

const ATTEMPTS = 400
const INTERVAL = "50 millis"

/** Snapshots until `pick` finds what it looks for (processes take a moment to exec and fork). */
const awaitSnapshot = <A>(what: string, pick: (snapshot: Snapshot) => A | undefined) =>
  Effect.gen(function* () {
    const prober = yield* Prober
    for (let attempt = 0; ; attempt++) {
      const snapshot = yield* prober.snapshot
      const found = pick(snapshot)
      if (found !== undefined) return { found, snapshot }
      if (attempt >= ATTEMPTS) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
      yield* Effect.sleep(INTERVAL)
    }
  })

const byPid = (pid: number, comm?: string) => (snapshot: Snapshot) => {
  const info = snapshot.processes.get(pid)
  return info !== undefined && (comm === undefined || info.comm === comm) ? info : undefined
}

const wallClockStartMs = (snapshot: Snapshot, info: ProcessInfo) =>
  snapshot.bootTimeMs + (info.startTime * 1000) / snapshot.ticksPerSecond

const start = (command: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.promise(() => startDetached(command, args, { env: { PATH, ...env } }))

export const proberContract = (name: string, layer: Layer.Layer<Prober>): void => {
  describe(`Prober contract: ${name}`, () => {
    afterEach(cleanup)

    it.live("a detached agent: its own session leader, with the marker and a stable start time", () =>
      Effect.gen(function* () {
        const fleet = tempDir()
        const before = Date.now()
        const pid = yield* start("sleep", ["60"], { AGENTCTL_FLEET: fleet, AGENTCTL_AGENT: "a1" })
        const { found: first, snapshot } = yield* awaitSnapshot("the sleep", byPid(pid, "sleep"))
        expect(first).toMatchObject({ pid, ppid: process.pid, pgid: pid, sid: pid, comm: "sleep" })
        expect(["S", "R"]).toContain(first.state)
        expect(first.marker).toEqual({ fleet, agent: "a1" })
        // Not a timing assertion: the token must denote roughly "now", whatever its unit.
        expect(Math.abs(wallClockStartMs(snapshot, first) - before)).toBeLessThan(60 * 60 * 1000)

        const again = (yield* (yield* Prober).snapshot).processes.get(pid)
        expect(again?.startTime).toBe(first.startTime)
      }).pipe(Effect.provide(layer))
    )

    it.live("snapshotAfter an earlier snapshot sees the same processes and markers, and new ones", () =>
      Effect.gen(function* () {
        const fleet = tempDir()
        const first = yield* start("sleep", ["60"], { AGENTCTL_FLEET: fleet, AGENTCTL_AGENT: "s1" })
        const { snapshot: before } = yield* awaitSnapshot("the first sleep", byPid(first, "sleep"))
        const second = yield* start("sleep", ["60"], { AGENTCTL_FLEET: fleet, AGENTCTL_AGENT: "s2" })
        yield* awaitSnapshot("the second sleep", byPid(second, "sleep"))
        const after = yield* (yield* Prober).snapshotAfter(before)
        expect(after.processes.get(first)?.marker).toEqual({ fleet, agent: "s1" })
        expect(after.processes.get(second)?.marker).toEqual({ fleet, agent: "s2" })
      }).pipe(Effect.provide(layer))
    )

    it.live("a child in the agent's session is there, and its marker is not read", () =>
      Effect.gen(function* () {
        const leader = yield* start("sh", ["-c", "sleep 60 & wait"], {
          AGENTCTL_FLEET: tempDir(),
          AGENTCTL_AGENT: "a2"
        })
        const { found: child, snapshot } = yield* awaitSnapshot("the child sleep", (s) => {
          for (const info of s.processes.values()) if (info.ppid === leader && info.comm === "sleep") return info
          return undefined
        })
        track(child.pid)
        expect(child.sid).toBe(leader)
        expect(child.pgid).toBe(leader)
        expect(child.marker).toBeNull()
        expect(snapshot.processes.get(leader)?.marker?.agent).toBe("a2")
      }).pipe(Effect.provide(layer))
    )

    it.live("a comm with spaces and parentheses", () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const weird = join(dir, "my (weird) proc")
        copyFileSync("/bin/sleep", weird)
        const fleet = join(dir, "fleet (with) spaces")
        mkdirSync(fleet)
        const pid = yield* start(weird, ["60"], { AGENTCTL_FLEET: fleet, AGENTCTL_AGENT: "w1", OTHER: "x y" })
        const { found } = yield* awaitSnapshot("the weird process", byPid(pid, "my (weird) proc"))
        expect(found).toMatchObject({ pid, ppid: process.pid, pgid: pid, sid: pid, comm: "my (weird) proc" })
        expect(found.marker).toEqual({ fleet, agent: "w1" })
      }).pipe(Effect.provide(layer))
    )

    it.live("a zombie shows state Z", () =>
      Effect.gen(function* () {
        // `true` exits at once; its parent execs into sleep, which never reaps it.
        const parent = yield* start("sh", ["-c", "true & exec sleep 60"])
        const { found: zombie } = yield* awaitSnapshot("the zombie", (s) => {
          for (const info of s.processes.values()) if (info.ppid === parent && info.state === "Z") return info
          return undefined
        })
        track(zombie.pid)
        expect(zombie.sid).toBe(parent)
        expect(zombie.marker).toBeNull()
        // It has exited: no usage, so stop and adoption never wait on it.
        expect(yield* (yield* Prober).usage(zombie.pid)).toBeNull()
      }).pipe(Effect.provide(layer))
    )

    it.live("a vanished pid is absent: no snapshot entry, no usage, no argv", () =>
      Effect.gen(function* () {
        const pid = yield* Effect.promise(() => runToExit("true", []))
        const prober = yield* Prober
        expect((yield* prober.snapshot).processes.has(pid)).toBe(false)
        expect(yield* prober.usage(pid)).toBeNull()
        expect(yield* prober.argv(pid)).toBeNull()
      }).pipe(Effect.provide(layer))
    )

    it.live("usage and argv of a live process; usage's start time is the snapshot's", () =>
      Effect.gen(function* () {
        const pid = yield* start("sleep", ["61"])
        const { found } = yield* awaitSnapshot("the sleep", byPid(pid, "sleep"))
        const prober = yield* Prober
        const usage = yield* prober.usage(pid)
        expect(usage).toMatchObject({ pid, startTime: found.startTime })
        expect(usage?.rssBytes).toBeGreaterThan(0)
        expect(usage?.cpuTicks).toBeGreaterThanOrEqual(0)
        expect(yield* prober.argv(pid)).toEqual(["sleep", "61"])
      }).pipe(Effect.provide(layer))
    )

    it.live("one consistent table: ourselves included, markers only on session leaders", () =>
      Effect.gen(function* () {
        const snapshot = yield* (yield* Prober).snapshot
        expect(snapshot.processes.get(process.pid)).toMatchObject({ pid: process.pid, ppid: process.ppid })
        expect(snapshot.ticksPerSecond).toBeGreaterThan(0)
        for (const info of snapshot.processes.values()) {
          expect(info.pid).toBeGreaterThan(0)
          expect(info.state).toMatch(/^[A-Za-z]$/)
          if (info.marker !== null) expect(info.sid).toBe(info.pid)
        }
      }).pipe(Effect.provide(layer))
    )
  })
}
