/**
 * Real processes and temp folders for integration tests. Every process started here is killed by
 * pid in `cleanup` (never by name), and so is every pid a test hands to `track`.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const pids = new Set<number>()
const groups = new Set<number>()
const dirs = new Set<string>()

export const track = (pid: number): number => {
  pids.add(pid)
  return pid
}

export const tempDir = (prefix = "agentctl-shell-"): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.add(dir)
  return dir
}

export const PATH = process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"

/** Start `command` detached (own session, like an agent), stdio ignored; its pid is tracked. */
export const startDetached = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env?: Record<string, string>; readonly cwd?: string } = {}
): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      detached: true,
      stdio: "ignore",
      env: options.env ?? { PATH },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd })
    })
    child.once("error", reject)
    child.once("spawn", () => {
      const pid = child.pid
      if (pid === undefined) return reject(new Error("no pid"))
      track(pid)
      groups.add(pid)
      child.unref()
      resolve(pid)
    })
  })

/** Run `command` to completion (not detached) and resolve with its pid once it has been reaped. */
export const runToExit = (command: string, args: ReadonlyArray<string>): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "ignore" })
    child.once("error", reject)
    child.once("exit", () => (child.pid === undefined ? reject(new Error("no pid")) : resolve(child.pid)))
  })

const killQuietly = (target: number) => {
  try {
    process.kill(target, "SIGKILL")
  } catch {
    // already gone
  }
}

/** SIGKILL every tracked pid, and the process group of every detached leader we started. */
export const cleanup = (): void => {
  for (const pid of pids) if (pid > 1) killQuietly(pid)
  for (const pgid of groups) if (pgid > 1) killQuietly(-pgid)
  pids.clear()
  groups.clear()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  dirs.clear()
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM"
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Poll `probe` until it returns a non-undefined value; generous timeout, no timing assertion. */
export const waitFor = async <A>(
  what: string,
  probe: () => A | undefined | Promise<A | undefined>,
  timeoutMs = 20_000
): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}
