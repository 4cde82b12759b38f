/**
 * An `exec` probe: argv as written, no shell, in the agent's cwd and env, its own session (so
 * the whole tree it starts is killed at the timeout, and the agent's marker is not on it).
 */
import type { ProbeResult } from "@agentctl/core/ProbeResult"
import type { ChildProcessByStdio } from "node:child_process"
import { statSync } from "node:fs"
import type { Readable } from "node:stream"
import type { OnCancel } from "./onCancel.ts"
import { trimOutput } from "./probeOutput.ts"
import { childProcess } from "../childProcess.ts"

/** More output than this is not kept: a probe is judged by its exit code, the text is for people. */
const maxOutputBytes = 4096

const killGroup = (pid: number | undefined) => {
  if (pid === undefined) return
  try {
    process.kill(-pid, "SIGKILL")
  } catch {
    // ESRCH: the group is gone already, which is what the kill was for.
  }
}

/** What is wrong with the cwd, when that is why the probe could not start; null when it is a directory. */
const cwdProblem = (cwd: string): string | null => {
  try {
    return statSync(cwd).isDirectory() ? null : "is not a directory"
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `cannot be read (${String(e)})`
  }
}

/** Not found, not executable, cwd gone: the probe could not run, which says nothing of the agent. */
const couldNotRun = (command: string, cwd: string, e: NodeJS.ErrnoException): string => {
  // Node reports a missing cwd as the command's ENOENT: look, so the error names what is wrong.
  const problem = cwdProblem(cwd)
  return problem === null
    ? `could not run ${JSON.stringify(command)}: ${e.code ?? e.message}`
    : `could not run ${JSON.stringify(command)}: its cwd ${cwd} ${problem}`
}

export interface ExecProbe {
  readonly argv: ReadonlyArray<string>
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  readonly timeoutMs: number
}

type Probe = ChildProcessByStdio<null, Readable, Readable>

const start = (probe: ExecProbe, command: string, args: ReadonlyArray<string>): Probe | NodeJS.ErrnoException => {
  try {
    return childProcess().spawn(command, args, {
      cwd: probe.cwd,
      env: { ...probe.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"]
    })
  } catch (e) {
    // Some failures are thrown, not emitted (a cwd that is a file: ENOTDIR).
    return e as NodeJS.ErrnoException
  }
}

/** Resolves with the result; cancelled (the launcher stops watching), it kills the probe. */
export const runExecProbe = (probe: ExecProbe, onCancel: OnCancel): Promise<ProbeResult> =>
  new Promise((resolve) => {
    const at = Date.now()
    const [command, ...args] = probe.argv
    const chunks: Array<Buffer> = []
    let kept = 0
    let settled = false
    const done = (result: Omit<ProbeResult, "at" | "ms">) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ok: result.ok, at, ms: Date.now() - at, output: result.output, error: result.error })
    }
    const text = () => trimOutput(Buffer.concat(chunks).toString("utf8"))
    const child = start(probe, command!, args)
    if (child instanceof Error) {
      resolve({ ok: false, at, ms: Date.now() - at, output: "", error: couldNotRun(command!, probe.cwd, child) })
      return
    }
    const keep = (chunk: Buffer) => {
      if (kept >= maxOutputBytes) return
      chunks.push(chunk.subarray(0, maxOutputBytes - kept))
      kept += chunk.length
    }
    child.stdout.on("data", keep)
    child.stderr.on("data", keep)
    const timer = setTimeout(() => {
      killGroup(child.pid)
      done({
        ok: false,
        output: `killed after its ${probe.timeoutMs}ms timeout${text() === "" ? "" : `: ${text()}`}`,
        error: null
      })
    }, probe.timeoutMs)
    onCancel(() => {
      killGroup(child.pid)
      done({ ok: false, output: "cancelled", error: null })
    })
    child.once("error", (e: NodeJS.ErrnoException) =>
      done({ ok: false, output: "", error: couldNotRun(command!, probe.cwd, e) })
    )
    // The probe is done: what it left in its group is litter, killed now so it cannot hold the
    // pipes open (and the result, until the timeout) nor pile up one per period.
    child.once("exit", () => killGroup(child.pid))
    // "close", not "exit": both pipes are drained, so the output is whole.
    child.once("close", (code, sig) => {
      const said = text()
      const how = sig !== null ? `killed by ${sig}` : `exit code ${code}`
      done({ ok: code === 0, output: said === "" ? how : `${how}: ${said}`, error: null })
    })
  })
