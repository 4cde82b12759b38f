import type { AgentRow } from "@agentctl/core/AgentRow"
import { afterEach, describe, expect, it } from "vitest"
import { openRequest, startLauncher } from "./apiHarness.ts"
import { makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * The launcher's API as clients that misbehave use it: hanging up mid-request.
 */

/** Ignores SIGTERM, and so does its sleep (an ignored signal stays ignored across exec): only SIGKILL ends it. */
const stubborn = ["-c", "trap '' TERM; sleep 600"]

describe("launcher API, abandoned requests", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("a stop whose client hangs up still runs to its end: the agent is stopped, not left stopping", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("stubborn", "sh", stubborn)
    const api = await startLauncher(f)
    const status = async () => (await f.json<ReadonlyArray<AgentRow>>("ls")).find((r) => r.id === "stubborn")?.status
    await waitFor(async () => (await status()) === "running")
    const stop = openRequest(api, "POST", "/agents/stubborn/stop?timeout=3s")
    await waitFor(async () => (await status()) === "stopping")
    stop.abandon()
    expect(await stop.ended).toBe("cut")
    // SIGKILL after the 3 s timeout, though nobody waits for the answer any more.
    await waitFor(async () => (await status()) === "stopped", 30_000)
  })
})
