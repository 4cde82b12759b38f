import { describe, expect, it } from "@effect/vitest"
import { healthOf, type HealthInput, judge, pendingStanding, type Standing, transition } from "../src/probeJudge.ts"
import type { ProbeResult } from "../src/ProbeResult.ts"

const ok: ProbeResult = { ok: true, at: 0, ms: 1, output: "exit code 0", error: null }
const no: ProbeResult = { ok: false, at: 0, ms: 1, output: "exit code 1", error: null }
const err: ProbeResult = { ok: false, at: 0, ms: 1, output: "", error: 'could not run "./check.sh": ENOENT' }

const thresholds = { failure_threshold: 3, success_threshold: 2 }
const run = (results: ReadonlyArray<ProbeResult>, from: Standing = pendingStanding) =>
  results.reduce((s, r) => judge(thresholds, s, r), from)

describe("judge: thresholds in a row, as in Kubernetes", () => {
  it.each<[string, ReadonlyArray<ProbeResult>, Partial<Standing>]>([
    ["nothing yet: pending", [], { state: "pending", failures: 0, successes: 0 }],
    ["one success of two needed: still pending", [ok], { state: "pending", successes: 1 }],
    ["two successes: passing", [ok, ok], { state: "passing", successes: 2 }],
    ["two failures of three: still passing once passing", [ok, ok, no, no], { state: "passing", failures: 2 }],
    ["three failures in a row: failing", [ok, ok, no, no, no], { state: "failing", failures: 3 }],
    ["a success breaks the streak", [ok, ok, no, no, ok, no, no], { state: "passing", failures: 2 }],
    ["failing needs two successes to pass again", [no, no, no, ok], { state: "failing", successes: 1 }],
    ["…and passes with them", [no, no, no, ok, ok], { state: "passing" }],
    ["three failures from the start: failing", [no, no, no], { state: "failing" }],
    ["an error counts neither way", [no, no, err, no], { state: "failing", failures: 3 }],
    ["an error shows as error", [ok, ok, err], { state: "error", successes: 2 }],
    ["after an error the standing before it carries on", [ok, ok, err, no], { state: "passing", failures: 1 }]
  ])("%s", (_, results, expected) => {
    expect(run(results)).toMatchObject(expected)
  })

  it("keeps the last result, whatever it was", () => {
    expect(run([ok, err]).last).toBe(err)
  })
})

describe("transition: events for changes, not for every pass", () => {
  const probe = { failure_threshold: 3 }
  it.each<[string, Standing, Standing, string | null]>([
    ["pending → passing", run([ok]), run([ok, ok]), "liveness probe passing"],
    ["passing → passing", run([ok, ok]), run([ok, ok, ok]), null],
    ["the first failure of a streak", run([ok, ok]), run([ok, ok, no]), "liveness probe failed (1 of 3): exit code 1"],
    ["the second is no news", run([ok, ok, no]), run([ok, ok, no, no]), null],
    ["→ failing", run([ok, ok, no, no]), run([ok, ok, no, no, no]), "liveness probe failing (3 in a row): exit code 1"],
    ["→ error", run([ok, ok]), run([ok, ok, err]), 'liveness probe could not run: could not run "./check.sh": ENOENT'],
    ["error → error", run([err]), run([err, err]), null]
  ])("%s", (_, was, now, message) => {
    expect(transition("liveness", probe, was, now)).toBe(message)
  })
})

describe("healthOf", () => {
  const passing = { ...pendingStanding, state: "passing" } as const
  const failing = { ...pendingStanding, state: "failing" } as const
  const none: HealthInput = { startup: null, liveness: null, readiness: null, wasReady: false }
  it.each<[string, Partial<HealthInput>, string | null]>([
    ["no probes: no health", {}, null],
    [
      "only liveness, not yet judged: ready (Kubernetes: ready without a readiness probe)",
      { liveness: pendingStanding },
      "ready"
    ],
    ["liveness failing: unhealthy", { liveness: failing }, "unhealthy"],
    ["startup not passed: starting, whatever else", { startup: pendingStanding, liveness: failing }, "starting"],
    ["startup passed, no readiness: ready", { startup: passing }, "ready"],
    ["readiness pending: starting", { readiness: pendingStanding }, "starting"],
    ["readiness passing: ready", { readiness: passing }, "ready"],
    ["readiness failing before it was ever ready: starting", { readiness: failing }, "starting"],
    ["readiness failing after ready: unhealthy", { readiness: failing, wasReady: true }, "unhealthy"],
    [
      "readiness erroring after ready: no new verdict",
      { readiness: { ...pendingStanding, state: "error" }, wasReady: true },
      "ready"
    ]
  ])("%s", (_, input, expected) => {
    expect(healthOf({ ...none, ...input })).toBe(expected)
  })
})
