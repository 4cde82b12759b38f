import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { defaultFleetSettings, type RestartSettings } from "../src/FleetSettings.ts"
import { backoffDelayMs, decideRestart, isFailure, type RestartInput } from "../src/restartPolicy.ts"

const settings = { ...defaultFleetSettings.restart, jitter: 0 }
const exit = (code: number | null, signal: string | null = null) => ({ code, signal, at: 0 })

describe("backoffDelayMs", () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32000],
    [7, 60000],
    [20, 60000]
  ])("attempt %i waits %i ms", (attempt, ms) => {
    expect(backoffDelayMs(settings, attempt, 0.5)).toBe(ms)
  })

  it.each([
    [0, 900],
    [0.5, 1000],
    [1, 1100]
  ])("jitter 0.1 with random %d: %i ms", (random, ms) => {
    expect(backoffDelayMs({ ...settings, jitter: 0.1 }, 1, random)).toBe(ms)
  })

  it("jitter never pushes past the cap", () => {
    expect(backoffDelayMs({ ...settings, jitter: 0.5 }, 30, 1)).toBe(60000)
  })
})

describe("isFailure", () => {
  it.each([
    [exit(0), false],
    [exit(1), true],
    [exit(null, "SIGKILL"), true],
    [exit(0, "SIGTERM"), true],
    [exit(null), true]
  ])("%j → %s", (e, failed) => {
    expect(isFailure(e)).toBe(failed)
  })
})

describe("decideRestart", () => {
  const input = (over: Partial<RestartInput>): RestartInput => ({
    policy: "on-failure",
    settings,
    exit: exit(1),
    ranMs: 1000,
    attempt: 0,
    failures: [],
    now: 100_000,
    random01: 0.5,
    endedBy: null,
    ...over
  })
  it.each<[string, Partial<RestartInput>, unknown]>([
    ["never: exit", { policy: "never" }, { _tag: "Exit" }],
    ["on-failure, clean exit: exit", { exit: exit(0) }, { _tag: "Exit" }],
    [
      "on-failure, clean exit of an instance the launcher ended unhealthy: a failure",
      { exit: exit(0), endedBy: "unhealthy" },
      { _tag: "Restart", delayMs: 1000, attempt: 1, failures: [100_000] }
    ],
    [
      "on-failure, ended over max_memory: a failure",
      { exit: exit(0), endedBy: "memory" },
      { _tag: "Restart", delayMs: 1000, attempt: 1, failures: [100_000] }
    ],
    [
      "never, ended unhealthy: exit (the policy says never)",
      { policy: "never", endedBy: "unhealthy" },
      { _tag: "Exit" }
    ],
    ["on-failure, crash: first backoff", {}, { _tag: "Restart", delayMs: 1000, attempt: 1, failures: [100_000] }],
    [
      "always, clean exit: restart",
      { policy: "always", exit: exit(0) },
      { _tag: "Restart", delayMs: 1000, attempt: 1, failures: [100_000] }
    ],
    [
      "third crash: 4 s",
      { attempt: 2, failures: [90_000, 95_000] },
      { _tag: "Restart", delayMs: 4000, attempt: 3, failures: [90_000, 95_000, 100_000] }
    ],
    [
      "after a stable run: at once, backoff reset",
      { ranMs: 30_000, attempt: 4, failures: [99_000] },
      { _tag: "Restart", delayMs: 0, attempt: 0, failures: [99_000, 100_000] }
    ],
    [
      "fifth failure within the window: give up",
      { attempt: 4, failures: [50_000, 60_000, 70_000, 80_000] },
      { _tag: "GiveUp", failures: [50_000, 60_000, 70_000, 80_000, 100_000] }
    ],
    [
      "old failures age out of the window",
      { attempt: 4, failures: [10_000, 20_000, 30_000, 80_000] },
      { _tag: "Restart", delayMs: 16000, attempt: 5, failures: [80_000, 100_000] }
    ]
  ])("%s", (_, over, expected) => {
    expect(decideRestart(input(over))).toEqual(expected)
  })
})

/** The delay before jitter, as the doc comment states it. */
const base = (s: RestartSettings, n: number) =>
  s.initial_delay === 0 ? 0 : Math.min(s.max_delay, s.initial_delay * s.multiplier ** (n - 1))

describe("backoffDelayMs: properties", () => {
  const seed = 1_717_000_002
  const numRuns = 2_000
  const ms = fc.oneof(fc.constant(0), fc.nat(1_000), fc.nat(3_600_000), fc.maxSafeNat())
  const restart = fc.record({
    initial_delay: ms,
    max_delay: ms,
    multiplier: fc.oneof(fc.constant(1), fc.double({ min: 1, max: 10, noNaN: true }), fc.constant(Infinity)),
    jitter: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
    stable_after: fc.constant(30_000),
    max_failures: fc.constant(5),
    failure_window: fc.constant(60_000),
    cooldown: fc.constant("never" as const)
  })
  const attempt = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 100_000 }))
  const random01 = fc.double({ min: 0, max: 1, noNaN: true })

  it("a whole number of ms in [0, max_delay]", () => {
    fc.assert(
      fc.property(restart, attempt, random01, (s, n, r) => {
        const delay = backoffDelayMs(s, n, r)
        expect(Number.isInteger(delay)).toBe(true)
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThanOrEqual(s.max_delay)
      }),
      { seed, numRuns }
    )
  })

  it("within the jitter band around the capped exponential (half a ms for rounding)", () => {
    fc.assert(
      fc.property(restart, attempt, random01, (s, n, r) => {
        const delay = backoffDelayMs(s, n, r)
        const b = base(s, n)
        // Relative slack: at 2^53 a double's own spacing is 1 ms.
        const slack = 0.5 + b * 1e-15
        expect(delay).toBeGreaterThanOrEqual(b * (1 - s.jitter) - slack)
        expect(delay).toBeLessThanOrEqual(Math.min(s.max_delay, b * (1 + s.jitter)) + slack)
      }),
      { seed, numRuns }
    )
  })

  it("without jitter, never shorter for a later attempt", () => {
    fc.assert(
      fc.property(restart, attempt, random01, (s, n, r) => {
        const still = { ...s, jitter: 0 }
        expect(backoffDelayMs(still, n + 1, r)).toBeGreaterThanOrEqual(backoffDelayMs(still, n, r))
      }),
      { seed, numRuns }
    )
  })
})
