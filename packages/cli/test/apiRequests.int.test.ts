import type { AgentRow } from "@agentctl/core/AgentRow"
import { afterEach, describe, expect, it } from "vitest"
import { openRequest, startLauncher } from "./apiHarness.ts"
import { makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * The launcher's API as clients that misbehave, or linger, use it: hanging up mid-request,
 * holding streams open while the launcher stops.
 */

/** Ignores SIGTERM, and so does its sleep (an ignored signal stays ignored across exec): only SIGKILL ends it. */
const stubborn = ["-c", "trap '' TERM; sleep 600"]

describe("launcher API, abandoned and lingering requests", () => {
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

  it("launcher stop ends open streams (events, a followed log, a build) with a complete body", async () => {
    fleet = makeFleet()
    const f = fleet
    f.agent("a", "sleep", ["300"])
    const api = await startLauncher(f, 'build: ["sh", "-c", "echo building; sleep 300"]\n')
    await waitFor(async () => (await f.json<ReadonlyArray<AgentRow>>("ls"))[0]?.status === "running")
    const streams = [
      openRequest(api, "GET", "/events"),
      openRequest(api, "GET", "/agents/a/logs?follow=true"),
      openRequest(api, "POST", "/build")
    ]
    await Promise.all(streams.map((s) => s.headers))
    await waitFor(
      () => streams.every((s) => s.text().includes(": connected")) && streams[2]!.text().includes("building")
    )
    expect((await f.run("launcher", "stop")).code).toBe(0)
    expect(await Promise.all(streams.map((s) => s.ended))).toEqual(["complete", "complete", "complete"])
    // The build's process went with its stream, the agent with the launcher.
    await waitFor(() => f.pids().length === 0, 10_000)
  })
})
