import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { alive, makeFleet, type RunResult, runAgentctl, type TestFleet } from "./fleetHarness.ts"

/*
 * The CLI's errors as a user meets them, on one fleet: usage errors, bad roots, the same answer
 * with and without a launcher, a busy TCP port, and `launcher kill`/`stop` that say what
 * really happened.
 */

/** A control or invisible formatting character (bidi overrides, zero-width spaces). */
const unprintable = /[\p{Cc}\p{Cf}]/u

const oneLine = (r: RunResult) => {
  expect(r.stderr.endsWith("\n")).toBe(true)
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
  expect(r.stderr).toMatch(/^agentctl: /)
  expect(r.stderr.trimEnd()).not.toMatch(unprintable)
  expect(r.stderr).not.toMatch(/^\s+at /m)
}

/** Inputs that are wrong the same way with a launcher or without one. */
const sameAnswer: ReadonlyArray<ReadonlyArray<string>> = [
  ["status", "ghost"],
  ["stop", "ghost", "--timeout", "1s"],
  ["logs", "ghost"],
  ["status", "Bad\x1b[31mId"],
  ["start", "e1", "a\u202eb"],
  ["kill", "../etc"]
]

describe("the CLI's errors", () => {
  let fleet: TestFleet
  let busy: net.Server
  let port = 0
  const daemonless = new Map<string, RunResult>()

  beforeAll(async () => {
    fleet = makeFleet()
    fleet.agent("e1", "sleep", ["300"])
    // The launcher's TCP port is taken: it must say so, every time, and still serve its socket.
    busy = net.createServer()
    await new Promise<void>((done) => busy.listen(0, "127.0.0.1", done))
    const address = busy.address()
    port = typeof address === "object" && address !== null ? address.port : 0
    fleet.write("agentctl.yaml", `api:\n  port: ${port}\n`)
  })
  afterAll(async () => {
    fleet.cleanup()
    await new Promise((done) => busy.close(done))
  })

  it("usage errors are one line on stderr with exit 2, input escaped; --help stays rich on stdout", async () => {
    // Every parse error's wording is in usage.test.ts; here, what the bundle prints and exits with.
    for (const args of [
      ["logs", "e1", "-x"],
      ["stop", "e1", "--timeout", "-1s"],
      ["nosuchcommand"],
      ["launcher", "logs", "-n", "-1"],
      ["status", "e\x07\x1b]0;pwned\x07"]
    ]) {
      const r = await fleet.run(...args)
      expect(r.code, args.join(" ")).toBe(2)
      expect(r.stdout).toBe("")
      oneLine(r)
    }
    const help = await fleet.run("logs", "--help")
    expect(help.code).toBe(0)
    expect(help.stderr).toBe("")
    expect(help.stdout).toMatch(/USAGE[\s\S]*FLAGS[\s\S]*--lines/)
  })

  it("a fleet root that is a file or does not exist is refused: one line, exit 2, nothing created", async () => {
    const file = path.join(fleet.root, "afile")
    fs.writeFileSync(file, "")
    const missing = path.join(fleet.root, "nope")
    for (const args of [["launcher", "start"], ["ls"]]) {
      const onFile = await runAgentctl(["--root", file, ...args])
      expect(onFile.code, `--root <file> ${args.join(" ")}`).toBe(2)
      expect(onFile.stderr).toBe(`agentctl: the fleet root ${file} is not a directory\n`)
    }
    for (const args of [["launcher", "start"], ["launcher", "run"], ["api"], ["start", "--all"]]) {
      const onMissing = await runAgentctl(["--root", missing, ...args])
      expect(onMissing.code, `--root <missing> ${args.join(" ")}`).toBe(2)
      oneLine(onMissing)
      expect(onMissing.stderr).toContain(`the fleet root ${missing} does not exist`)
      expect(fs.existsSync(missing)).toBe(false)
    }
    const fromEnv = await runAgentctl(["launcher", "start"], { AGENTCTL_ROOT: missing })
    expect(fromEnv.code).toBe(2)
    expect(fs.existsSync(missing)).toBe(false)
    expect(fs.existsSync(path.join(fleet.root, "run", "launcher.pid"))).toBe(false)
  })

  it("daemonless: unknown ids are 'not found' (3), ids that cannot be ids are usage errors (2)", async () => {
    for (const args of sameAnswer) {
      const r = await fleet.run(...args)
      oneLine(r)
      daemonless.set(args.join(" "), r)
    }
    expect(daemonless.get("status ghost")).toMatchObject({
      code: 3,
      stderr: 'agentctl: no agent with id "ghost" (known: e1)\n'
    })
    expect(daemonless.get("status Bad\x1b[31mId")!.code).toBe(2)
    expect(daemonless.get("status Bad\x1b[31mId")!.stderr).toContain('invalid <id> "Bad\\x1b[31mId"')
  })

  it("launcher start warns of the busy TCP port every time; kill and stop say what really happened", async () => {
    for (const round of [0, 1]) {
      const started = await fleet.run("launcher", "start")
      expect(started.code).toBe(0)
      const pid = Number(/^launcher started \(pid (\d+)\)/.exec(started.stdout)?.[1])
      expect(alive(pid)).toBe(true)
      expect(started.stderr).toBe(
        `agentctl: warning: the HTTP API is not listening on 127.0.0.1:${port}: address already in use (the control socket works)\n`
      )
      if (round === 0) {
        // The same input gets the same answer through the launcher's socket.
        for (const args of sameAnswer) {
          const through = await fleet.run(...args)
          expect({ args, code: through.code, stderr: through.stderr }).toEqual({
            args,
            code: daemonless.get(args.join(" "))!.code,
            stderr: daemonless.get(args.join(" "))!.stderr
          })
        }
        const killed = await fleet.run("launcher", "kill")
        expect(killed).toMatchObject({
          code: 0,
          stdout: `killed the launcher (pid ${pid}); its agents keep running and the next launcher adopts them\n`
        })
        expect(alive(pid)).toBe(false)
        const again = await fleet.run("launcher", "kill")
        expect(again.code).toBe(1)
        oneLine(again)
      } else {
        const stopped = await fleet.run("launcher", "stop")
        expect(stopped).toMatchObject({ code: 0, stdout: `launcher stopped (pid ${pid})\n`, stderr: "" })
        expect(alive(pid)).toBe(false)
        expect(fleet.pids()).toEqual([])
      }
    }
  })
})
