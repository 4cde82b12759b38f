import type { AgentRow } from "@agentctl/core/AgentRow"
import { errorCode } from "@agentctl/shell/errno"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { alive, makeFleet, type TestFleet, waitFor } from "./fleetHarness.ts"

/** /proc/<pid>/stat, or "" for a process gone since it was listed (beat's short-lived `sleep 0.2`). */
const procStat = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "latin1")
  } catch (error) {
    if (errorCode(error) === "ENOENT" || errorCode(error) === "ESRCH") return ""
    throw error
  }
}

const stubborn = ["-c", "trap '' TERM; while :; do sleep 0.2; done"]

describe("agentctl against a real fleet", () => {
  let fleet: TestFleet
  const ls = () => fleet.json<ReadonlyArray<AgentRow>>("ls")
  const row = async (id: string) => (await ls()).find((r) => r.id === id)

  beforeAll(() => {
    fleet = makeFleet()
    fleet.agent("sleeper", "sleep", ["300"])
    fleet.agent("beat", "bash", ["-c", "while :; do echo beat $RANDOM; sleep 0.2; done"])
    fleet.agent("off", "sleep", ["300"], "", false)
    fleet.agent("wrapped", "sh", ["-c", "sleep 300; true"])
    fleet.agent("stubborn", "bash", stubborn, "  stop_timeout: 1s\n")
    fleet.agent("secretive", "sleep", ["300"], "  env:\n    API_TOKEN: hunter2\n    PLAIN: visible\n")
    fleet.write("agents/bad/config.yaml", "agent:\n  id: bad\n  name: [unclosed\n")
    fleet.write(".env", "FROM_DOTENV='fleet value'\n")
  })
  afterAll(() => fleet.cleanup())

  it("lists every agent, the invalid config with its file and error", async () => {
    const rows = await ls()
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [null, "invalid"],
      ["beat", "stopped"],
      ["off", "disabled"],
      ["secretive", "stopped"],
      ["sleeper", "stopped"],
      ["stubborn", "stopped"],
      ["wrapped", "stopped"]
    ])
    const bad = rows.find((r) => r.status === "invalid")!
    expect(bad.file).toContain(path.join("agents", "bad", "config.yaml"))
    expect(bad.error).toMatch(/line \d+/)
  })

  it("start --all starts the enabled agents once; a second start changes nothing", async () => {
    const first = await fleet.run("start", "--all")
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/started sleeper \(pid \d+\)/)
    const running = (await ls()).filter((r) => r.status === "running")
    expect(running.map((r) => r.id).toSorted()).toEqual(["beat", "secretive", "sleeper", "stubborn", "wrapped"])
    const sleeper = running.find((r) => r.id === "sleeper")!
    expect(sleeper.instances).toBe(1)
    const again = await fleet.run("start", "sleeper")
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("already running")
    expect((await row("sleeper"))!.pid).toBe(sleeper.pid)
  })

  it("a wrapper and its child are one instance", async () => {
    const wrapped = (await row("wrapped"))!
    expect(wrapped.instances).toBe(1)
    const children = fleet.pids().filter((p) => procStat(p).includes(`) S ${wrapped.pid} `))
    expect(children.length).toBeGreaterThan(0)
  })

  it("logs -n prints the last lines of the agent's own log", async () => {
    await waitFor(
      async () => (await fleet.run("logs", "beat", "-n", "3")).stdout.split("\n").filter(Boolean).length === 3
    )
    const out = await fleet.run("logs", "beat", "-n", "3")
    expect(
      out.stdout
        .trim()
        .split("\n")
        .every((l) => l.startsWith("beat "))
    ).toBe(true)
  })

  it("env merges .env and run.env and redacts secrets unless asked", async () => {
    const env = await fleet.json<ReadonlyArray<{ key: string; value: string; source: string }>>("env", "secretive")
    const get = (k: string) => env.find((e) => e.key === k)
    expect(get("API_TOKEN")!.value).not.toContain("hunter2")
    expect(get("PLAIN")!.value).toBe("visible")
    expect(get("FROM_DOTENV")).toEqual({ key: "FROM_DOTENV", value: "fleet value", source: "fleet .env" })
    const shown = await fleet.run("env", "secretive", "--show-secrets")
    expect(shown.stdout).toContain("API_TOKEN=hunter2")
  })

  it("stop escalates to SIGKILL for an agent that ignores SIGTERM, and removes every process", async () => {
    const before = (await row("stubborn"))!
    const out = await fleet.run("stop", "stubborn")
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/stopped stubborn .*SIGKILL/)
    expect(alive(before.pid!)).toBe(false)
    expect((await row("stubborn"))!.status).toBe("stopped")
    const again = await fleet.run("stop", "stubborn")
    expect(again.stdout).toContain("not running; nothing changed")
  })

  it("disable rewrites only agent.enabled, keeping comments", async () => {
    const file = path.join(fleet.root, "agents", "sleeper", "config.yaml")
    fs.writeFileSync(file, `# keep this comment\n${fs.readFileSync(file, "utf8")}# and this: enabled: true\n`)
    const out = await fleet.run("disable", "sleeper")
    expect(out.code).toBe(0)
    const text = fs.readFileSync(file, "utf8")
    expect(text).toContain("# keep this comment\n")
    expect(text).toContain("  enabled: false\n")
    expect(text).toContain("# and this: enabled: true\n")
    expect((await row("sleeper"))!.enabled).toBe(false)
    expect((await fleet.run("enable", "sleeper")).code).toBe(0)
  })

  it("kill --all SIGKILLs every instance, says which pids, and leaves nothing behind", async () => {
    const out = await fleet.run("kill", "--all")
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/killed sleeper: pid \d+/)
    await waitFor(() => fleet.pids().length === 0, 5000)
    expect((await ls()).filter((r) => r.status === "running")).toEqual([])
  })

  it("errors are one line naming the agent or argument, with documented exit codes", async () => {
    const missing = await fleet.run("status", "ghost")
    expect(missing.code).toBe(3)
    expect(missing.stderr.trim()).toMatch(/^agentctl: no agent with id "ghost"/)
    expect(missing.stderr.trim().split("\n")).toHaveLength(1)
    const usage = await fleet.run("start")
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain("--all")
    // An unparseable file has no id to find it by; a parseable one with a bad field does.
    expect((await fleet.run("start", "bad")).code).toBe(3)
    fleet.write("agents/half/config.yaml", "agent:\n  id: half\nrun:\n  stop_timeout: soon\n")
    const invalid = await fleet.run("start", "half")
    expect(invalid.code).toBe(4)
    expect(invalid.stderr).toMatch(
      /agents\/half\/config.yaml: run.command: Missing key; run.stop_timeout: expected a duration/
    )
    const validate = await fleet.run("validate")
    expect(validate.code).toBe(4)
    expect(validate.stdout).toMatch(/ok +beat/)
    const badTimeout = await fleet.run("stop", "beat", "--timeout", "soon")
    expect(badTimeout.code).toBe(2)
    expect(badTimeout.stderr).toContain("--timeout")
  })

  it("build runs the fleet's build command with the merged env and honours its exit code", async () => {
    fleet.write("build.sh", 'echo "building with $FROM_DOTENV"\nexit 3\n')
    const out = await fleet.run("build")
    expect(out.stdout).toContain("building with fleet value")
    expect(out.code).toBe(1)
    expect(out.stderr).toMatch(/exited with code 3/)
    // One runner for `agentctl build` and `POST /build`: a step killed by a signal is named as such.
    fleet.write("build.sh", 'echo "about to die" >&2\nkill -9 $$\n')
    const killed = await fleet.run("build")
    expect(killed.code).toBe(1)
    expect(killed.stderr).toBe(
      `about to die\nagentctl: build \`bash build.sh\` in ${fleet.root} was killed by SIGKILL\n`
    )
  })

  it("a crashed agent reads as exited and start brings it back", async () => {
    fleet.agent("crash", "bash", ["-c", "sleep 0.3; exit 7"])
    expect((await fleet.run("start", "crash")).code).toBe(0)
    await waitFor(async () => (await row("crash"))!.status === "exited")
    expect((await row("crash"))!.reason).toMatch(/exited/)
    fleet.agent("crash", "sleep", ["300"])
    expect((await fleet.run("start", "crash")).stdout).toMatch(/started crash/)
    expect((await row("crash"))!.status).toBe("running")
    await fleet.run("kill", "crash")
  })
})
