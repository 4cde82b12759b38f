import { describe, expect, it } from "vitest"
import { type ExitInfo, Status } from "../src/Status.ts"
import { statusName, statusReason } from "../src/statusText.ts"

const now = 100_000
const crashed: ExitInfo = { code: 3, signal: null, at: 99_000 }
const killed: ExitInfo = { code: null, signal: "SIGKILL", at: 99_000 }
const unseen: ExitInfo = { code: null, signal: null, at: null }
// A signal wins over a code: a process killed by a signal has no exit code of its own to tell.
const both: ExitInfo = { code: 1, signal: "SIGTERM", at: 99_000 }

/** Every status the CLI can print, with the word in `ls` and the sentence in `status`/`reason`. */
const cases: ReadonlyArray<readonly [Status, string, string]> = [
  [{ _tag: "Running", pid: 42, instances: 1, startedAt: 0 }, "running", "running as pid 42"],
  [{ _tag: "Running", pid: 42, instances: 0, startedAt: null }, "running", "running as pid 42"],
  [
    { _tag: "Running", pid: 42, instances: 2, startedAt: 0 },
    "running",
    "running as pid 42, but 2 instances are alive (stop or kill removes all of them)"
  ],
  [{ _tag: "Starting", pid: null }, "starting", "starting"],
  [{ _tag: "Starting", pid: 7 }, "starting", "starting as pid 7"],
  [{ _tag: "Stopping", pid: null }, "stopping", "stopping"],
  [{ _tag: "Stopping", pid: 7 }, "stopping", "stopping pid 7"],
  [{ _tag: "Stopped" }, "stopped", "not running"],
  [{ _tag: "Disabled" }, "disabled", "disabled in its config (enable it to start it with --all or the launcher)"],
  [{ _tag: "Exited", pid: 9, exit: crashed, recycled: false }, "exited", "pid 9 exited (exit code 3)"],
  [{ _tag: "Exited", pid: 9, exit: killed, recycled: false }, "exited", "pid 9 exited (killed by SIGKILL)"],
  [{ _tag: "Exited", pid: 9, exit: both, recycled: false }, "exited", "pid 9 exited (killed by SIGTERM)"],
  [{ _tag: "Exited", pid: 9, exit: unseen, recycled: false }, "exited", "pid 9 exited (exit status unknown)"],
  [{ _tag: "Exited", pid: null, exit: crashed, recycled: false }, "exited", "exited (exit code 3)"],
  [{ _tag: "Exited", pid: null, exit: { ...crashed, code: 0 }, recycled: false }, "exited", "exited (exit code 0)"],
  [
    { _tag: "Exited", pid: 9, exit: unseen, recycled: true },
    "exited",
    "pid 9 from the pid record now belongs to another process: the agent is gone"
  ],
  [
    { _tag: "Backoff", attempt: 3, nextAttemptAt: now + 4000, exit: crashed },
    "backoff",
    "crashed (exit code 3); restart attempt 3 in 4s"
  ],
  [
    { _tag: "Backoff", attempt: 1, nextAttemptAt: now + 1, exit: killed },
    "backoff",
    "crashed (killed by SIGKILL); restart attempt 1 in 1s"
  ],
  [
    { _tag: "Backoff", attempt: 2, nextAttemptAt: now + 2500, exit: crashed },
    "backoff",
    "crashed (exit code 3); restart attempt 2 in 3s"
  ],
  [
    { _tag: "Backoff", attempt: 2, nextAttemptAt: now, exit: crashed },
    "backoff",
    "crashed (exit code 3); restart attempt 2 in 0s"
  ],
  [
    { _tag: "Backoff", attempt: 2, nextAttemptAt: now - 5000, exit: crashed },
    "backoff",
    "crashed (exit code 3); restart attempt 2 in 0s"
  ],
  [
    { _tag: "GaveUp", failures: 5, windowMs: 60_000, at: now, exit: crashed, retryAt: null },
    "gave-up",
    "gave up after 5 failures within 60s (last: exit code 3); start it to try again"
  ],
  [
    { _tag: "GaveUp", failures: 5, windowMs: 60_000, at: now, exit: crashed, retryAt: now + 600_000 },
    "gave-up",
    "gave up after 5 failures within 60s (last: exit code 3); trying again in 10m00s (or start it now)"
  ],
  [
    { _tag: "GaveUp", failures: 5, windowMs: 60_000, at: now, exit: crashed, retryAt: now + 1 },
    "gave-up",
    "gave up after 5 failures within 60s (last: exit code 3); trying again in 1s (or start it now)"
  ],
  [
    { _tag: "GaveUp", failures: 2, windowMs: 1499, at: now, exit: unseen, retryAt: null },
    "gave-up",
    "gave up after 2 failures within 1s (last: exit status unknown); start it to try again"
  ],
  [
    { _tag: "GaveUp", failures: 2, windowMs: 1500, at: now, exit: killed, retryAt: null },
    "gave-up",
    "gave up after 2 failures within 2s (last: killed by SIGKILL); start it to try again"
  ],
  [{ _tag: "Unknown", pid: null, error: "boom" }, "unknown", "state unknown: boom"],
  [
    { _tag: "Unknown", pid: 5, error: "cannot read /proc" },
    "unknown",
    "cannot tell whether pid 5 runs: cannot read /proc"
  ],
  [
    { _tag: "Invalid", file: "/f/agents/x/config.yaml", error: "run.command: missing" },
    "invalid",
    "run.command: missing"
  ]
]

describe("statusName and statusReason", () => {
  it.each(cases)("%j → %s: %s", (status, name, reason) => {
    expect([statusName(status), statusReason(status, now)]).toEqual([name, reason])
  })

  it("the table has every status of the schema", () => {
    const tags = new Set(cases.map(([s]) => s._tag))
    expect([...tags].toSorted()).toEqual(Object.keys(Status.cases).toSorted())
  })
})
