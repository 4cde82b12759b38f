import type { AgentRow } from "@agentctl/core/AgentRow"
import { afterEach, describe, expect, it } from "vitest"
import { request, rssMiB, startLauncher } from "./apiHarness.ts"
import { makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/*
 * GET /docs needs no token, so anyone on the host can ask for it: it must not cost the launcher
 * memory. The page (3 MB) is streamed from the file the build rendered.
 */

const settle = () => new Promise((resolve) => setTimeout(resolve, 2000))

describe("launcher GET /docs", () => {
  let fleet: TestFleet | undefined
  afterEach(() => fleet?.cleanup())

  it("serves the docs page without growing the launcher's RSS", async () => {
    fleet = makeFleet()
    const f = fleet
    for (const id of ["d1", "d2", "d3"]) f.agent(id, "sleep", ["300"])
    const api = await startLauncher(f)
    await waitFor(async () => (await f.json<ReadonlyArray<AgentRow>>("ls")).every((r) => r.status === "running"))
    // Warm the request path first, so the comparison is the page alone.
    expect((await request(api, "GET", "/healthz")).status).toBe(200)
    await settle()
    const before = rssMiB(api.pid)
    const docs = await request({ port: api.port, token: "" }, "GET", "/docs")
    expect(docs.status).toBe(200)
    expect(docs.headers["content-type"]).toMatch(/^text\/html/)
    expect(docs.body).toMatch(/^<!doctype html>/)
    expect(docs.body).toContain("Scalar.createApiReference")
    expect(docs.body.length).toBeGreaterThan(1_000_000)
    await settle()
    const after = rssMiB(api.pid)
    // It was +25 MiB, for good; a few MiB of noise are allowed.
    expect(after - before).toBeLessThan(8)
  })
})
