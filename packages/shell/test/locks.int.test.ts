import { spawn } from "node:child_process"
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { lockFile, readLauncherSync, recordFile } from "../src/launcherRecord.ts"
import { readBootIdSync, readUsageSync } from "../src/procfsSync.ts"
import { cleanup, startDetached, tempDir, track } from "./support.ts"

/*
 * The locks between real processes: launchers racing for one fleet, daemonless commands
 * waiting for each other, a launcher waiting for a command in flight. Each contender is a
 * Node process running test/fixtures/lockHolder.ts; every one is tracked and killed by pid.
 */

const holder = join(import.meta.dirname, "fixtures", "lockHolder.ts")

interface Said {
  readonly got: boolean
  readonly at: number
  readonly tag?: string
  readonly message?: string
}

/** Start a contender; resolves with what it said once it exits. */
/** `hold`: ms to hold what it got, or "stdin": until `release()` closes its stdin. */
const contend = (mode: "launcher" | "fleet", runDir: string, hold: number | "stdin") => {
  const child = spawn(process.execPath, [holder, mode, runDir, String(hold)], { stdio: ["pipe", "pipe", "pipe"] })
  if (child.pid !== undefined) track(child.pid)
  let out = ""
  let err = ""
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c))
  child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c))
  const said = new Promise<Said>((resolve, reject) =>
    child.once("exit", (code) => {
      const line = out.trim().split("\n")[0] ?? ""
      if (code !== 0 || line === "") return reject(new Error(`contender exited ${code}: ${err}${out}`))
      resolve(JSON.parse(line) as Said)
    })
  )
  /** Resolves once it has said whether it got the lock (while it may still hold it). */
  const answered = new Promise<Said>((resolve) =>
    child.stdout.on("data", () => {
      const line = out.split("\n")[0]
      if (line !== undefined && out.includes("\n")) resolve(JSON.parse(line) as Said)
    })
  )
  if (hold !== "stdin") child.stdin.end()
  return { pid: child.pid!, said, answered, release: () => child.stdin.end() }
}

const ownRecord = (pid: number) => ({
  pid,
  startTime: readUsageSync(pid, Date.now())?.startTime ?? null,
  bootId: readBootIdSync(),
  startedAt: Date.now()
})

afterEach(cleanup)

describe("the launcher lock", () => {
  it("of eight launchers started at once over a stale record, exactly one takes the fleet", async () => {
    for (let round = 0; round < 2; round++) {
      const runDir = join(tempDir(), "run")
      mkdirSync(runDir)
      // A stale registration: a pid that is gone (a long-dead launcher).
      writeFileSync(recordFile(runDir), JSON.stringify({ pid: 999_999, startTime: 1, bootId: "", startedAt: 0 }))
      // The winner holds on until every contender has answered, however slow the machine is.
      const all = Array.from({ length: 8 }, () => contend("launcher", runDir, "stdin"))
      const answers = await Promise.all(all.map((c) => c.answered))
      const winners = all.filter((_, i) => answers[i]!.got)
      expect(winners.length, `round ${round}: ${JSON.stringify(answers)}`).toBe(1)
      for (const s of answers.filter((x) => !x.got)) expect(s.tag).toBe("LauncherRunning")
      // While it holds the fleet, the record names it (the stale one was replaced).
      expect(readLauncherSync(runDir)?.pid).toBe(winners[0]!.pid)
      for (const c of all) c.release()
      await Promise.all(all.map((c) => c.said))
      // Gone now: its record went with it.
      expect(readLauncherSync(runDir)).toBeNull()
    }
  })

  it("a registered launcher is the process holding the lock; a record alone proves nothing", async () => {
    const runDir = join(tempDir(), "run")
    const c = contend("launcher", runDir, "stdin")
    const answer = await c.answered
    expect(answer.got).toBe(true)
    expect(readLauncherSync(runDir)?.pid).toBe(c.pid)
    c.release()
    await c.said
    // A forged record naming a live process (with its true start time) that holds no lock.
    const stranger = await startDetached("sleep", ["30"])
    writeFileSync(recordFile(runDir), JSON.stringify(ownRecord(stranger)))
    expect(readLauncherSync(runDir)).toBeNull()
    // Holding the lock file open is what counts (here: this test process, with its own record).
    const fd = openSync(lockFile(runDir), "r")
    try {
      writeFileSync(recordFile(runDir), JSON.stringify(ownRecord(process.pid)))
      expect(readLauncherSync(runDir)?.pid).toBe(process.pid)
    } finally {
      closeSync(fd)
    }
    expect(readLauncherSync(runDir)).toBeNull()
  })
})

describe("the fleet lock", () => {
  it("a second command waits until the first is done", async () => {
    const runDir = join(tempDir(), "run")
    const a = contend("fleet", runDir, 800)
    const first = await a.answered
    const b = contend("fleet", runDir, 0)
    const [done, second] = await Promise.all([a.said, b.said])
    expect([done.got, second.got]).toEqual([true, true])
    expect(second.at - first.at).toBeGreaterThanOrEqual(800)
  })

  it("a launcher waits for a command in flight, and the next command is told to ask the launcher", async () => {
    const runDir = join(tempDir(), "run")
    const command = contend("fleet", runDir, 1000)
    const commandGot = await command.answered
    const launcher = contend("launcher", runDir, "stdin")
    const launcherGot = await launcher.answered
    expect(launcherGot.got).toBe(true)
    expect(launcherGot.at - commandGot.at).toBeGreaterThanOrEqual(1000)
    const late = await contend("fleet", runDir, 0).said
    expect(late.got).toBe(false)
    expect(late.tag).toBe("LauncherActive")
    expect(late.message).toContain(`pid ${launcher.pid}`)
    launcher.release()
    await Promise.all([command.said, launcher.said])
  })
})
