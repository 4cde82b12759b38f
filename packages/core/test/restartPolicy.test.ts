import { describe, expect, it } from "vitest"
import { defaultFleetSettings } from "../src/FleetSettings.ts"
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
    ...over
  })
  it.each<[string, Partial<RestartInput>, unknown]>([
    ["never: exit", { policy: "never" }, { _tag: "Exit" }],
    ["on-failure, clean exit: exit", { exit: exit(0) }, { _tag: "Exit" }],
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
