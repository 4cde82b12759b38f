import { describe, expect, it } from "vitest"
import { type AgentState, idle } from "../src/AgentStore.ts"
import { DependencyNotMet, judgeDependency, type Judgement } from "../src/dependencyCondition.ts"
import type { DependencyCondition } from "../src/DependsOn.ts"
import type { HealthName } from "../src/Health.ts"
import type { Status } from "../src/Status.ts"

const running: Status = { _tag: "Running", pid: 7, instances: 1, startedAt: 0 }
const exit = (code: number | null, signal: string | null = null) => ({ code, signal, at: 1 })
const exited = (code: number | null, signal: string | null = null): Status => ({
  _tag: "Exited",
  pid: 7,
  exit: exit(code, signal),
  recycled: false
})
const state = (status: Status, health: HealthName | null = null): AgentState => ({ ...idle(status), health })
const met: Judgement = { _tag: "Met" }
const waiting: Judgement = { _tag: "Waiting" }
const failed = (reason: string): Judgement => ({ _tag: "Failed", reason })

describe("judgeDependency", () => {
  it.each<[DependencyCondition, AgentState, boolean, Judgement]>([
    ["started", state(running), false, met],
    ["started", state(running, "starting"), true, met],
    ["started", state({ _tag: "Starting", pid: null }), false, waiting],
    ["ready", state(running), false, met],
    ["ready", state(running), true, waiting],
    ["ready", state(running, "starting"), true, waiting],
    ["ready", state(running, "unhealthy"), true, waiting],
    ["ready", state(running, "ready"), true, met],
    ["ready", state(running, "ready"), false, met],
    ["ready", state({ _tag: "Backoff", attempt: 1, nextAttemptAt: 5, exit: exit(1) }), false, waiting],
    ["ready", state({ _tag: "Unknown", pid: 7, error: "no /proc" }), false, waiting],
    ["completed", state(running), false, waiting],
    ["completed", state(exited(0)), false, met],
    ["completed", state(exited(3)), false, failed("did not complete: exit code 3")],
    ["completed", state(exited(null, "SIGKILL")), false, failed("did not complete: killed by SIGKILL")],
    ["completed", state(exited(null)), false, failed("exited while no launcher watched it: its exit code is unknown")],
    ["started", state(exited(0)), false, failed("exited (exit code 0) and is not restarted")],
    [
      "ready",
      state({ _tag: "GaveUp", failures: 5, windowMs: 60_000, at: 9, exit: exit(2), retryAt: null }),
      false,
      failed("gave up after 5 failures (last: exit code 2)")
    ],
    ["started", state({ _tag: "Stopped" }), false, failed("is not running (stopped)")],
    ["started", state({ _tag: "Stopping", pid: 7 }), false, failed("is stopping")],
    ["started", state({ _tag: "Disabled" }), false, failed("is disabled")]
  ])("%s of %j (gated: %s)", (condition, s, gated, expected) => {
    expect(judgeDependency(condition, s, gated)).toEqual(expected)
  })
})

describe("DependencyNotMet", () => {
  it.each<[DependencyNotMet, string]>([
    [
      DependencyNotMet.timedOut("db", "ready", 60_000, state(running, "starting")),
      'dependency "db" did not become ready within 1m (it is running, health starting)'
    ],
    [
      DependencyNotMet.timedOut("migrate", "completed", 1500, state(running)),
      'dependency "migrate" did not complete within 1.5s (it is running)'
    ],
    [
      DependencyNotMet.timedOut("q", "started", 10_000, state({ _tag: "Starting", pid: null })),
      'dependency "q" did not start within 10s (it is starting)'
    ],
    [DependencyNotMet.didNotStart("db", "command not found"), 'dependency "db" failed to start: command not found'],
    [DependencyNotMet.failed("db", "is stopping"), 'dependency "db" is stopping']
  ])("%#: %s", (error, message) => {
    expect(error.message).toBe(message)
  })
})
