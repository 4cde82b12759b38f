import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/*
 * Real fleets in temp dirs, driven through the built `agentctl` bundle as a user would, and
 * cleaned up by pid: every process whose environment carries this fleet's marker (agentctl
 * put it there) or whose cwd is inside the fleet is SIGKILLed, never anything found by name.
 */

export const cli = path.resolve(import.meta.dirname, "..", "dist", "agentctl.cjs")

export interface RunResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface TestFleet {
  readonly root: string
  readonly run: (...args: ReadonlyArray<string>) => Promise<RunResult>
  /** `run` with variables added to the environment (NODE_OPTIONS, say). */
  readonly runWith: (env: Readonly<Record<string, string>>, ...args: ReadonlyArray<string>) => Promise<RunResult>
  readonly json: <A = unknown>(...args: ReadonlyArray<string>) => Promise<A>
  readonly agent: (id: string, command: string, args: ReadonlyArray<string>, extra?: string, enabled?: boolean) => void
  readonly write: (file: string, text: string) => void
  readonly pids: () => ReadonlyArray<number>
  readonly cleanup: () => void
}

const readLink = (p: string) => {
  try {
    return fs.readlinkSync(p)
  } catch {
    return null
  }
}
const readText = (p: string) => {
  try {
    return fs.readFileSync(p, "latin1")
  } catch {
    return ""
  }
}

export const alive = (pid: number): boolean => {
  const state = /^State:\s+(\w)/m.exec(readText(`/proc/${pid}/status`))?.[1]
  return state !== undefined && state !== "Z" && state !== "X"
}

/** The built `agentctl` with exactly these arguments (no `--root` added). */
export const runAgentctl = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  new Promise<RunResult>((resolve) => {
    // maxBuffer: `logs -n` of a whole history is megabytes (execFile stops at 1 MiB by default).
    const options = { timeout: 60_000, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } }
    execFile(process.execPath, [cli, ...args], options, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      resolve({ code, stdout, stderr })
    })
  })

export const makeFleet = (): TestFleet => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "agentctl-test-")))
  fs.mkdirSync(path.join(root, "agents"))
  const marker = `AGENTCTL_FLEET=${root}\0`
  const pids = () =>
    fs
      .readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)
      .map(Number)
      .filter((pid) => {
        const cwd = readLink(`/proc/${pid}/cwd`)
        if (cwd !== null && (cwd === root || cwd.startsWith(`${root}/`))) return true
        return readText(`/proc/${pid}/environ`).includes(marker)
      })
  const runWith = (env: Readonly<Record<string, string>>, ...args: ReadonlyArray<string>) =>
    runAgentctl(["--root", root, ...args], env)
  const run = (...args: ReadonlyArray<string>) => runWith({}, ...args)
  return {
    root,
    run,
    runWith,
    json: async <A>(...args: ReadonlyArray<string>) => {
      const r = await run(...args, "--json")
      if (r.code !== 0 && r.stdout.trim() === "")
        throw new Error(`agentctl ${args.join(" ")} failed (${r.code}): ${r.stderr}`)
      return JSON.parse(r.stdout) as A
    },
    agent: (id, command, args, extra = "", enabled = true) => {
      fs.mkdirSync(path.join(root, "agents", id), { recursive: true })
      fs.writeFileSync(
        path.join(root, "agents", id, "config.yaml"),
        `agent:\n  id: ${id}\n  name: Agent ${id}\n  enabled: ${enabled}\nrun:\n  command: ${command}\n  args: ${JSON.stringify(args)}\n  cwd: .\n${extra}`
      )
    },
    write: (file, text) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
      fs.writeFileSync(path.join(root, file), text)
    },
    pids,
    cleanup: () => {
      for (const pid of pids()) {
        try {
          process.kill(pid, "SIGKILL")
        } catch {
          // already gone
        }
      }
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
}

export const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`condition not met within ${timeoutMs} ms`)
}
