// `pnpm bench` (= build, then `node scripts/bench.mjs [section…]`): measures agentctl on temp fleets and
// prints each figure beside its floor measured in the same run, then the same as a markdown table for
// the README. Sections: ls, commands, start, stop, logs, launcher, api, probes (default: all). Progress goes to
// stderr, results to stdout, with how long the run took (in the header and on a last line). Benchmarks
// report, they don't gate: a missed target is printed as MISSED and the exit code stays 0. Every
// process a section starts is killed by pid afterwards (and on exit or Ctrl-C): pids seen in
// `ls --json`, plus any process whose cwd is inside the fleet or whose environment or argv names it.
// Never by name.
import { spawn, spawnSync } from "node:child_process"
import {
  closeSync,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  statfsSync,
  utimesSync,
  writeFileSync,
  writeSync
} from "node:fs"
import { createServer } from "node:net"
import { cpus, tmpdir } from "node:os"
import * as path from "node:path"
import { launcherNodeFlags, launcherTuning } from "../packages/cli/src/launcher/tuning.ts"

const repo = path.resolve(import.meta.dirname, "..")
const cli = path.join(repo, "packages", "cli", "dist", "agentctl.cjs")
const pinnedNode = path.join(repo, "node_modules", ".bin", "node")
const NODE = existsSync(pinnedNode) ? pinnedNode : process.execPath

const SECTIONS = ["ls", "commands", "start", "stop", "logs", "launcher", "api", "probes"]
const RUNS = 9 // timed repetitions for the quick measurements (medians)
const STOP_RUNS = 3 // repetitions of the (2 s each) stop measurements
const STUBBORN = ["-c", "trap '' TERM; exec 3<> <(:); while :; do read -u 3; done"]

// ---------------------------------------------------------------------------------------------
// small helpers

const progress = (msg) => process.stderr.write(`[bench] ${msg}\n`)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const sleepSync = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
const nowMs = () => Number(process.hrtime.bigint()) / 1e6
const median = (xs) => {
  const s = xs.toSorted((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const fmtMs = (ms) => (ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`)
const fmtMiB = (kb) => `${(kb / 1024).toFixed(1)} MiB`
const signed = (ms) => `${ms >= 0 ? "+" : ""}${ms.toFixed(1)}`
/** The slope of the least-squares line through [x, y] points: how much y grows per unit of x. */
const slope = (points) => {
  const mx = points.reduce((sum, [x]) => sum + x, 0) / points.length
  const my = points.reduce((sum, [, y]) => sum + y, 0) / points.length
  let sxy = 0
  let sxx = 0
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my)
    sxx += (x - mx) ** 2
  }
  return sxy / sxx
}
/** A slope in ms per agent, as the README gives it: per 100 agents. */
const fmtPer100 = (msPerAgent) => `${(msPerAgent * 100).toFixed(1)} ms per 100 agents`
/** Each run of a median, in whole ms: "2684, 2718, 2823". */
const fmtRuns = (times) => times.map((x) => Math.round(x)).join(", ")
const lastLine = (text) =>
  String(text ?? "")
    .trim()
    .split("\n")
    .pop()
    ?.trim() ?? ""

// ---------------------------------------------------------------------------------------------
// processes: run, time, track, clean up

/** Kept for cleanup: fleet dir -> Map(pid -> start time) of pids seen in `ls --json`. */
const fleets = new Map()
/** Helper processes the bench itself started (floors): pid -> start time. */
const helpers = new Map()

const procStart = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null
  } catch {
    return null
  }
}
const alive = (pid) => {
  try {
    const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
    return state !== undefined && state !== "Z" && state !== "X"
  } catch {
    return false
  }
}
const rssKb = (pid) => {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  if (!m) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(m[1])
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100
/** CPU seconds a process has used so far: utime + stime of /proc/<pid>/stat (every thread, the libuv pool's too). */
const cpuSeconds = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}
/** Bytes under dir as `du -sb` counts them: the apparent size of every entry, folders included. */
const apparentBytes = (dir) => {
  let total = 0
  let entries = []
  try {
    total += lstatSync(dir).size
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0 // removed meanwhile (a rotated file evicted, say)
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      total += apparentBytes(file)
    } else {
      try {
        total += lstatSync(file).size
      } catch {
        // removed meanwhile
      }
    }
  }
  return total
}

/** Live processes that belong to the fleet: cwd inside it, or its marker in the environment, or its path in argv. */
const fleetPids = (fleet) => {
  const marker = `AGENTCTL_FLEET=${fleet}`
  const found = []
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue
    const pid = Number(name)
    if (pid === process.pid) continue
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`)
      if (cwd === fleet || cwd.startsWith(fleet + "/")) {
        found.push(pid)
        continue
      }
    } catch {
      // gone, or not ours to read
    }
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(marker)) {
        found.push(pid)
        continue
      }
    } catch {
      // gone, or not ours to read
    }
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").includes(fleet)) found.push(pid)
    } catch {
      // gone, or not ours to read
    }
  }
  return found.filter(alive)
}

const killTracked = (tracked) => {
  for (const [pid, start] of tracked) {
    if (procStart(pid) === start) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
  }
}

const isLauncher = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("launcher.cjs")
  } catch {
    return false
  }
}

/** SIGKILL everything of the fleet (launcher first, so it restarts nothing), by pid, until nothing is left; then remove it. */
const destroyFleet = (fleet) => {
  const tracked = fleets.get(fleet)
  if (tracked === undefined) return
  for (let round = 0; round < 40; round++) {
    const pids = fleetPids(fleet)
    pids.sort((a, b) => Number(isLauncher(b)) - Number(isLauncher(a)))
    killTracked(tracked)
    tracked.clear()
    if (pids.length === 0) break
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
    sleepSync(50)
  }
  fleets.delete(fleet)
  rmSync(fleet, { recursive: true, force: true })
}

/**
 * Between two runs on one fleet: `agentctl kill --all` (unless `viaAgentctl` is false: no agent
 * of ours runs), then SIGKILL by pid whatever of the fleet is still alive, until nothing is; the
 * fleet's folder stays. A run must not start while the last one's processes still take CPU.
 */
const clearFleet = async (fleet, { viaAgentctl = true } = {}) => {
  if (viaAgentctl) agentctl(fleet, ["kill", "--all"], { allowFail: true })
  const deadline = Date.now() + 30_000
  for (;;) {
    const pids = fleetPids(fleet)
    if (pids.length === 0) return
    if (Date.now() > deadline) throw new Error(`${pids.length} processes of ${fleet} still alive 30 s after SIGKILL`)
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
    await sleep(50)
  }
}

const cleanupAll = () => {
  for (const fleet of fleets.keys()) {
    try {
      destroyFleet(fleet)
    } catch {
      // best effort on the way out
    }
  }
  killTracked(helpers)
  helpers.clear()
}
process.on("exit", cleanupAll)
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    progress(`${signal}: cleaning up`)
    cleanupAll()
    process.exit(130)
  })
}

const newFleet = (label, settings = "") => {
  const fleet = realpathSync(mkdtempSync(path.join(tmpdir(), `agentctl-bench-${label}-`)))
  fleets.set(fleet, new Map())
  mkdirSync(path.join(fleet, "agents"))
  if (settings) writeFileSync(path.join(fleet, "agentctl.yaml"), settings)
  return fleet
}

/** `extra`: lines of the agent's `run:`; `top`: top-level keys after it (`health:`). */
const addAgent = (fleet, id, command, args, extra = "", { enabled = true, top = "" } = {}) => {
  mkdirSync(path.join(fleet, "agents", id), { recursive: true })
  writeFileSync(
    path.join(fleet, "agents", id, "config.yaml"),
    [
      "agent:",
      `  id: ${id}`,
      `  name: Agent ${id}`,
      "  version: 1.0.0",
      `  description: bench agent ${id}`,
      `  enabled: ${enabled}`,
      "run:",
      `  command: ${command}`,
      `  args: ${JSON.stringify(args)}`,
      "  cwd: .",
      ...extra
        .split("\n")
        .filter(Boolean)
        .map((line) => `  ${line}`),
      ...top.split("\n").filter(Boolean),
      ""
    ].join("\n")
  )
}

/**
 * The CLI bundle as the bench found it (every file of dist/ with its mtime): a command that fails
 * while someone rebuilds it (`pnpm build` in another terminal) says so, instead of looking like
 * agentctl's fault. A build removes and writes files, so the folder's own mtime counts too.
 */
const distStamp = () => {
  const dist = path.dirname(cli)
  try {
    const names = readdirSync(dist).toSorted()
    return [dist, ...names.map((name) => path.join(dist, name))]
      .map((file) => `${file}@${statSync(file).mtimeMs}`)
      .join("\n")
  } catch {
    return null // removed meanwhile: being rebuilt
  }
}
const distStamp0 = distStamp()
const rebuiltNote = () => (distStamp() === distStamp0 ? "" : " (dist/ was rebuilt during the bench)")
/** The line of a crash's stderr that names the error (Node ends a crash with its own version line), else the last. */
const errorLine = (text) =>
  String(text ?? "")
    .split("\n")
    .map((line) => line.trim())
    .find((line) => /^\w*(Error|Exception)\b/.test(line)) ?? lastLine(text)

/** Waits (2 min at most) until dist/ holds the CLI and has not changed for 2 s: a rebuild is over. */
const waitDistStable = () => {
  const deadline = Date.now() + 120_000
  let last = distStamp()
  let since = Date.now()
  while (Date.now() < deadline) {
    sleepSync(250)
    const stamp = distStamp()
    if (stamp !== last) {
      last = stamp
      since = Date.now()
    } else if (stamp !== null && existsSync(cli) && Date.now() - since >= 2000) {
      return
    }
  }
}
/**
 * `run()` (one spawnSync of the CLI), again once a rebuild is over when it failed while dist/
 * changed under it or on a missing file of dist/: twice at most. Without this, a `pnpm build` in
 * another terminal turned a long wait (180 s for 1000 agents that never started) into an ERROR row.
 */
const cliRun = (what, run) => {
  for (let attempt = 1; ; attempt++) {
    const before = distStamp()
    const r = run()
    const stderr = String(r.stderr ?? "")
    const rebuilt =
      before === null ||
      distStamp() !== before ||
      (/ENOENT|Cannot find module/.test(stderr) && stderr.includes(path.dirname(cli)))
    if (r.error || r.status === 0 || attempt === 3 || !rebuilt) return r
    progress(`${what} failed while dist/ was being rebuilt: again once the rebuild is over`)
    waitDistStable()
  }
}

/** agentctl --root fleet …args; throws (with its error line) on a non-zero exit unless allowFail. */
const agentctl = (fleet, args, { allowFail = false, timeoutMs = 180_000 } = {}) => {
  const r = cliRun(`agentctl ${args.join(" ")}`, () =>
    spawnSync(NODE, [cli, "--root", fleet, ...args], {
      encoding: "utf8",
      maxBuffer: 256 << 20,
      timeout: timeoutMs,
      stdio: ["ignore", "pipe", "pipe"]
    })
  )
  if (r.error) throw new Error(`agentctl ${args.join(" ")}: ${r.error.message}`)
  if (r.status !== 0 && !allowFail) {
    throw new Error(
      `agentctl ${args.join(" ")} exited ${r.status}: ${errorLine(r.stderr) || lastLine(r.stdout)}${rebuiltNote()}`
    )
  }
  return r
}

/** Wall time (ms) of one run of a command, output discarded (as `>/dev/null`). */
const timeRun = (cmd, args) => {
  const what = `${path.basename(cmd)} ${args.join(" ")}`.slice(0, 200) // the kill loop's argv is every pid
  let ms = 0
  const run = () => {
    const t0 = nowMs()
    const r = spawnSync(cmd, args, { stdio: "ignore", timeout: 180_000 })
    ms = nowMs() - t0
    return r
  }
  const r = args[0] === cli ? cliRun(what, run) : run()
  if (r.error) throw new Error(`${what}: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}${rebuiltNote()}`)
  return ms
}
const timeAgentctl = (fleet, args) => timeRun(NODE, [cli, "--root", fleet, ...args])

/** `ls --json` rows; every pid seen is remembered for cleanup. */
const listAgents = (fleet) => {
  const rows = JSON.parse(agentctl(fleet, ["ls", "--json"]).stdout)
  const tracked = fleets.get(fleet)
  for (const row of rows) {
    if (typeof row.pid === "number" && !tracked.has(row.pid)) {
      const start = procStart(row.pid)
      if (start !== null) tracked.set(row.pid, start)
    }
  }
  return rows
}
const countRunning = (rows) => rows.filter((row) => row.status === "running").length

/**
 * Polls `ls --json` until n agents run. A failing `ls` (a launcher too busy to answer, say) is retried
 * until the deadline; how often it failed is returned, so the figure can say so.
 */
const waitRunning = async (fleet, n, timeoutMs) => {
  const deadline = Date.now() + timeoutMs
  let running = 0
  let failures = 0
  let lastError = ""
  for (;;) {
    try {
      running = countRunning(listAgents(fleet))
      if (running >= n) return { failures, lastError }
    } catch (error) {
      failures++
      lastError = error instanceof Error ? error.message : String(error)
    }
    if (Date.now() > deadline) {
      throw new Error(
        `only ${running} of ${n} agents running after ${timeoutMs / 1000} s` +
          (failures ? ` (ls --json failed ${failures} times; last: ${lastError})` : "")
      )
    }
    await sleep(250)
  }
}
const pollNote = ({ failures, lastError }) =>
  failures ? `; ls --json failed ${failures}× while polling (${lastError})` : ""

/** Interleaved medians of `node -e 0` and `agentctl ls --json`. */
const lsVsNode = (fleet) => {
  timeRun(NODE, ["-e", "0"]) // page cache
  const floor = []
  const ls = []
  for (let i = 0; i < RUNS; i++) {
    floor.push(timeRun(NODE, ["-e", "0"]))
    ls.push(timeAgentctl(fleet, ["ls", "--json"]))
  }
  return { floor: median(floor), ls: median(ls) }
}

const launcherPid = (fleet) => {
  const status = JSON.parse(agentctl(fleet, ["launcher", "status", "--json"]).stdout)
  const pid = status.pid ?? status.launcher?.pid
  if (typeof pid !== "number" || !alive(pid)) throw new Error(`launcher status --json gives no live pid (${pid})`)
  return pid
}

/** RSS of an idle Node process started with the launcher's own flags: the floor for the launcher's RSS. */
const idleNodeRssKb = async () => {
  const child = spawn(NODE, [...launcherNodeFlags, "-e", "setInterval(() => {}, 1e6)"], {
    stdio: "ignore",
    env: { ...process.env, ...launcherTuning }
  })
  await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject))
  helpers.set(child.pid, procStart(child.pid))
  try {
    await sleep(500)
    return rssKb(child.pid)
  } finally {
    child.kill("SIGKILL")
    helpers.delete(child.pid)
  }
}

// ---------------------------------------------------------------------------------------------
// results

/** { section, measurement, figure, floor, target, ok: true | false | null, note } */
const results = []
const record = (row) => {
  const full = { floor: "—", target: "—", ok: null, note: "", ...row }
  results.push(full)
  progress(`${full.measurement}: ${full.figure}${full.note ? ` (${full.note})` : ""}`)
}
/** The runs of a stop figure, and what it left behind (which fails it). */
const stopNote = (times, leftover) =>
  `median of ${times.length}: ${fmtRuns(times)} ms${leftover ? `; ${leftover} processes left behind` : ""}`
/** A stop figure: the median of the runs against the 2 s timeout; anything left behind fails it. */
const recordStop = (section, measurement, times, leftover, targetMs = 3000) => {
  const t = median(times)
  record({
    section,
    measurement,
    figure: `${fmtMs(t)} (${(t / 2000).toFixed(2)}×)`,
    floor: "stop_timeout: 2000 ms",
    target: `≤ ${targetMs} ms`,
    ok: t <= targetMs && leftover === 0,
    note: stopNote(times, leftover)
  })
}
const verdict = (row) => (row.ok === true ? "ok" : row.ok === false ? "MISSED" : (row.verdict ?? "—"))

// ---------------------------------------------------------------------------------------------
// sections

/** The issue's targets for `ls --json` at n running agents, as a ratio to `node -e 0`. */
const LS_TARGETS = new Map([
  [10, 1.5],
  [100, 1.5],
  [300, 1.3],
  [1000, 2]
])

/**
 * 1. `ls --json` at 10/100/300/1000 running agents (daemonless) vs `node -e 0`; then what each
 * added agent costs: the slope of a least-squares line through the four (n, ms) medians.
 */
const benchLs = async () => {
  const fleet = newFleet("ls")
  try {
    let have = 0
    const ours = []
    const floors = []
    for (const [n, target] of LS_TARGETS) {
      for (let i = have + 1; i <= n; i++) addAgent(fleet, `z${i}`, "sleep", ["3600"])
      have = n
      progress(`ls: starting ${n} sleeping agents (start --all)`)
      agentctl(fleet, ["start", "--all"], { allowFail: true })
      await waitRunning(fleet, n, 180_000) // also warms the config cache
      progress(`ls: timing ls --json at ${n} agents vs node -e 0 (${RUNS} each, interleaved)`)
      const { floor, ls } = lsVsNode(fleet)
      ours.push([n, ls])
      floors.push([n, floor])
      const ratio = ls / floor
      record({
        section: "ls",
        measurement: `ls --json, ${n} running agents`,
        figure: `${fmtMs(ls)} (${ratio.toFixed(2)}×)`,
        floor: `node -e 0: ${fmtMs(floor)}`,
        target: `≤ ${target}×`,
        ok: ratio <= target
      })
    }
    const perAgent = slope(ours)
    const floorPerAgent = slope(floors)
    record({
      section: "ls",
      measurement: "ls --json, cost per added agent",
      figure: fmtPer100(perAgent),
      floor: `node -e 0: ${fmtPer100(floorPerAgent)}`,
      note:
        `least-squares slope through n = ${ours.map(([n]) => n).join("/")}; ` +
        `the floor's slope is the noise (node -e 0 does not depend on n); ` +
        `at that slope 1000 agents add ${fmtMs(perAgent * 1000)}, ${((perAgent * 1000) / median(floors.map(([, f]) => f))).toFixed(2)}× a node -e 0`
    })
  } finally {
    destroyFleet(fleet)
  }
}

const COMMAND_AGENTS = 300

/**
 * The everyday one-agent commands, each as run by hand, at COMMAND_AGENTS running agents
 * (daemonless), beside `node -e 0` run just before it. In the order given, so each pair
 * (disable/enable, stop/start) leaves the fleet as it found it; each is timed on its own.
 * `sleep` needs no time of its own to start or to stop (it dies on SIGTERM at once), so the
 * figures are agentctl's alone.
 */
const COMMANDS = [
  { args: ["logs", "s7", "-n", "100"] },
  { args: ["status", "s7"] },
  { args: ["env", "s7"] },
  { args: ["validate"] },
  { args: ["disable", "s8"], note: "alternates with enable s8, so every run changes the config" },
  { args: ["enable", "s8"], note: "alternates with disable s8" },
  { args: ["stop", "s9"], note: "sleep dies on SIGTERM: nothing of the agent's own to subtract" },
  { args: ["start", "s9"], note: "sleep needs no start-up time: nothing of the agent's own to subtract" }
]

/** A few hundred lines appended to an agent's raw log (run/<id>.log, where a daemonless agent's output goes). */
const appendLog = (fleet, id, lines) => {
  let text = ""
  for (let i = 1; i <= lines; i++) text += `line ${i} of ${id}'s log, as an agent would write it\n`
  mkdirSync(path.join(fleet, "run"), { recursive: true })
  writeFileSync(path.join(fleet, "run", `${id}.log`), text, { flag: "a" })
}

const benchCommands = async () => {
  const fleet = newFleet("commands")
  try {
    for (let i = 1; i <= COMMAND_AGENTS; i++) addAgent(fleet, `s${i}`, "sleep", ["3600"])
    progress(`commands: starting ${COMMAND_AGENTS} sleeping agents (start --all)`)
    agentctl(fleet, ["start", "--all"], { allowFail: true })
    await waitRunning(fleet, COMMAND_AGENTS, 120_000)
    appendLog(fleet, "s7", 300)
    // A command that fails is dropped (its ERROR row says why) and the others go on being timed.
    const failed = COMMANDS.map(() => "")
    const fail = (i, error) => {
      const { args } = COMMANDS[i]
      // timeRun discards the output: ask once more for agentctl's own words.
      const again = agentctl(fleet, args, { allowFail: true })
      const why = again.status === 0 ? "passed when run again" : errorLine(again.stderr) || lastLine(again.stdout)
      failed[i] = `${error instanceof Error ? error.message : String(error)}; run again: ${why}`
    }
    // Each once, checked, before the clock: a command that fails would time its error path.
    COMMANDS.forEach(({ args }, i) => {
      try {
        agentctl(fleet, args)
      } catch (error) {
        failed[i] = error instanceof Error ? error.message : String(error)
      }
    })
    const tail = agentctl(fleet, ["logs", "s7", "-n", "100"], { allowFail: true }).stdout.split("\n").filter(Boolean)
    if (!failed[0] && (tail.length !== 100 || !tail.at(-1).includes("line 300 of s7"))) {
      failed[0] = `logs s7 -n 100 printed ${tail.length} lines, last: ${tail.at(-1)}`
    }
    progress(`commands: timing ${COMMANDS.length} commands vs node -e 0 (${RUNS} each, interleaved)`)
    timeRun(NODE, ["-e", "0"]) // page cache
    const floors = COMMANDS.map(() => [])
    const times = COMMANDS.map(() => [])
    for (let run = 0; run < RUNS; run++) {
      COMMANDS.forEach(({ args }, i) => {
        if (failed[i]) return
        floors[i].push(timeRun(NODE, ["-e", "0"]))
        try {
          times[i].push(timeAgentctl(fleet, args))
        } catch (error) {
          fail(i, error)
        }
      })
    }
    const running = countRunning(listAgents(fleet))
    COMMANDS.forEach(({ args, note = "" }, i) => {
      const measurement = `${args.join(" ")}, ${COMMAND_AGENTS} running agents`
      if (failed[i]) {
        record({ section: "commands", measurement, figure: "ERROR", verdict: "ERROR", note: failed[i] })
        return
      }
      const t = median(times[i])
      const f = median(floors[i])
      const ratio = t / f
      record({
        section: "commands",
        measurement,
        figure: `${fmtMs(t)} (${ratio.toFixed(2)}×)`,
        floor: `node -e 0: ${fmtMs(f)}`,
        target: "≤ 1.5×",
        ok: ratio <= 1.5,
        note
      })
    })
    if (running !== COMMAND_AGENTS) {
      record({
        section: "commands",
        measurement: "fleet after the commands",
        figure: `${running} of ${COMMAND_AGENTS} running`,
        verdict: "ERROR",
        note: "stop s9 / start s9 should leave every agent running"
      })
    }
  } finally {
    destroyFleet(fleet)
  }
}

/** The issue's targets for start --all of n agents, as a ratio to the bash setsid loop; runs of (floor, ours) each. */
const START_SIZES = [
  { n: 10, target: 1.15, runs: 3 },
  { n: 100, target: 1.15, runs: 3 },
  { n: 300, target: 1.15, runs: 3 },
  { n: 1000, target: 1.2, runs: 1 }
]

/**
 * start --all of 10/100/300/1000 sleeping agents (daemonless) beside the floor measured in the
 * same run: a bash loop that starts as many `setsid sleep` with output appended to a log; medians
 * of interleaved (floor, ours) runs, everything killed between runs; then what each added agent
 * costs (least-squares slopes). Then 1000 agents under the launcher, until `ls` shows every one
 * running. And what the fleet lock costs a command: node:sqlite loaded and the lock taken, in a
 * fresh process.
 */
const benchStart = async () => {
  const ours = []
  const floors = []
  for (const size of START_SIZES) {
    await guarded(`start --all of ${size.n}`, async () => {
      const { ms, floor } = await startRuns(size)
      ours.push([size.n, ms])
      floors.push([size.n, floor])
    })
  }
  if (ours.length >= 2) {
    const perAgent = slope(ours)
    const floorPerAgent = slope(floors)
    record({
      section: "start",
      measurement: "start --all, cost per added agent",
      figure: `${fmtPer100(perAgent)} (${(perAgent / floorPerAgent).toFixed(2)}×)`,
      floor: `bash setsid loop: ${fmtPer100(floorPerAgent)}`,
      note: `least-squares slopes through n = ${ours.map(([n]) => n).join("/")}`
    })
  }
  await guarded("1000 under the launcher", async () => {
    const fleet = newFleet("start-launcher")
    try {
      for (let i = 1; i <= 1000; i++) addAgent(fleet, `s${i}`, "sleep", ["3600"])
      progress("start: launcher start with 1000 agents, until ls shows every one running")
      const t0 = nowMs()
      agentctl(fleet, ["launcher", "start"])
      const polled = await waitRunning(fleet, 1000, 300_000)
      const ms = nowMs() - t0
      agentctl(fleet, ["launcher", "stop"], { allowFail: true, timeoutMs: 300_000 })
      record({
        section: "start",
        measurement: "launcher start, 1000 sleeping agents, until all run",
        figure: fmtMs(ms),
        floor: "—",
        target: "—",
        ok: null,
        note: pollNote(polled).replace(/^; /, "")
      })
    } finally {
      destroyFleet(fleet)
    }
  })
  await guarded("fleet lock", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "agentctl-bench-lock-"))
    try {
      const script = [
        "const t0 = process.hrtime.bigint()",
        `const { tryLockSync } = await import(${JSON.stringify(path.join(repo, "packages/shell/src/NodeFleetLock.ts"))})`,
        "const t1 = process.hrtime.bigint()",
        `tryLockSync(${JSON.stringify(path.join(dir, "fleet.lock"))}).release()`,
        "const t2 = process.hrtime.bigint()",
        "console.log(JSON.stringify({ load: Number(t1 - t0) / 1e6, lock: Number(t2 - t1) / 1e6 }))"
      ].join("\n")
      const runs = []
      for (let i = 0; i < RUNS; i++) {
        const r = spawnSync(NODE, ["--input-type=module", "-e", script], { encoding: "utf8" })
        if (r.status !== 0) throw new Error(`fleet lock probe failed: ${lastLine(r.stderr)}`)
        runs.push(JSON.parse(r.stdout).lock)
      }
      record({
        section: "start",
        measurement: "the fleet lock a command takes: node:sqlite loaded, lock taken and released",
        figure: fmtMs(median(runs)),
        floor: "—",
        target: "—",
        ok: null,
        note: "paid once by every daemonless start/stop/restart/kill/enable/disable"
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

/** start --all of n sleeping agents vs the bash setsid loop, `runs` interleaved (floor, ours), everything killed between. */
const startRuns = async ({ n, target, runs }) => {
  const fleet = newFleet(`start${n}`)
  try {
    for (let i = 1; i <= n; i++) addAgent(fleet, `s${i}`, "sleep", ["3600"])
    mkdirSync(path.join(fleet, "floor"))
    const loop = `for i in $(seq ${n}); do setsid sleep 3600 </dev/null >>floor/$i.log 2>&1 & done`
    const floorTimes = []
    const times = []
    let short = 0
    for (let run = 1; run <= runs; run++) {
      progress(`start: run ${run}/${runs}: bash setsid loop of ${n}`)
      floorTimes.push(timeRun("bash", ["-c", `cd ${JSON.stringify(fleet)} && ${loop}`]))
      await clearFleet(fleet, { viaAgentctl: false })
      progress(`start: run ${run}/${runs}: start --all of ${n}`)
      times.push(timeAgentctl(fleet, ["start", "--all"]))
      short = Math.max(short, n - countRunning(listAgents(fleet)))
      await clearFleet(fleet)
    }
    const ms = median(times)
    const floor = median(floorTimes)
    const ratio = ms / floor
    record({
      section: "start",
      measurement: `start --all, ${n} sleeping agents`,
      figure: `${fmtMs(ms)} (${ratio.toFixed(2)}×)`,
      floor: `bash setsid loop: ${fmtMs(floor)}`,
      target: `≤ ${target}×`,
      ok: ratio <= target && short === 0,
      note: [
        runs > 1
          ? `median of ${runs} interleaved runs (floor, ours): ours ${fmtRuns(times)} ms, floor ${fmtRuns(floorTimes)} ms`
          : "one run (floor, then ours)",
        short ? `only ${n - short} of ${n} running afterwards` : ""
      ]
        .filter(Boolean)
        .join("; ")
    })
    return { ms, floor }
  } finally {
    destroyFleet(fleet)
  }
}

/** The issue's targets for stop --all of n SIGTERM-ignoring agents (stop_timeout 2 s): 2000 ms + what agentctl may add. */
const STUBBORN_SIZES = [
  { n: 100, targetMs: 2250 },
  { n: 300, targetMs: 2250 },
  { n: 1000, targetMs: 2500 }
]
/** What stop --all of well-behaved agents may add to the bash kill -TERM loop. */
const STOP_OVER_FLOOR_MS = 150

/**
 * 2. stop --all (daemonless) of 100/300/1000 SIGTERM-ignoring agents, stop_timeout 2 s; and of
 * 10/100/300 agents that die on SIGTERM (`sleep`), beside a bash loop that sends as many
 * `setsid sleep` a SIGTERM and waits until they are gone, interleaved.
 */
const benchStop = async () => {
  for (const size of STUBBORN_SIZES) await guarded(`stop --all of ${size.n} stubborn`, () => stopStubborn(size))
  for (const n of [10, 100, 300]) await guarded(`stop --all of ${n} well-behaved`, () => stopWellBehaved(n))
}

/** TERM (signal 15) among the signals a process ignores: the stubborn bash has installed its trap. */
const ignoresTerm = (pid) => {
  try {
    const mask = /^SigIgn:\s+([0-9a-f]+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
    return mask !== undefined && ((BigInt(`0x${mask}`) >> 14n) & 1n) === 1n
  } catch {
    return false
  }
}

const stopStubborn = async ({ n, targetMs }) => {
  const fleet = newFleet(`stop${n}`)
  try {
    for (let i = 1; i <= n; i++) addAgent(fleet, `s${i}`, "bash", STUBBORN, "stop_timeout: 2s\nrestart: never")
    const times = []
    let leftover = 0
    for (let run = 1; run <= STOP_RUNS; run++) {
      progress(`stop: run ${run}/${STOP_RUNS}: start --all ${n} SIGTERM-ignoring agents`)
      agentctl(fleet, ["start", "--all"], { allowFail: true })
      await waitRunning(fleet, n, 180_000)
      // Every bash must ignore TERM before the clock starts, or stop would kill some early.
      await until(
        `every agent ignoring SIGTERM (${n})`,
        () => {
          try {
            return listAgents(fleet).every((row) => typeof row.pid === "number" && ignoresTerm(row.pid))
          } catch {
            return false // the next poll will do
          }
        },
        60_000
      )
      progress(`stop: run ${run}/${STOP_RUNS}: stop --all`)
      times.push(timeAgentctl(fleet, ["stop", "--all"]))
      await sleep(300)
      const left = fleetPids(fleet).length
      leftover = Math.max(leftover, left)
      if (left) await clearFleet(fleet, { viaAgentctl: false })
    }
    recordStop("stop", `stop --all, ${n} SIGTERM-ignoring agents`, times, leftover, targetMs)
  } finally {
    destroyFleet(fleet)
  }
}

/**
 * The floor of a well-behaved stop: SIGTERM to every pid given, then wait (reading
 * /proc/<pid>/stat, no fork) until each is gone or a zombie, which is what `gone` means to a
 * process that is not the parent.
 */
const KILL_LOOP =
  'kill -TERM "$@"; for p in "$@"; do ' +
  'while { read -r _ _ s _ < /proc/$p/stat; } 2>/dev/null && [ "$s" != Z ]; do :; done; done'

const stopWellBehaved = async (n) => {
  const fleet = newFleet(`stopok${n}`)
  try {
    for (let i = 1; i <= n; i++) addAgent(fleet, `s${i}`, "sleep", ["3600"], "stop_timeout: 2s\nrestart: never")
    const floorDir = path.join(fleet, "floor")
    mkdirSync(floorDir)
    const spawnLoop = `cd ${JSON.stringify(floorDir)} && for i in $(seq ${n}); do setsid sleep 3600 </dev/null >/dev/null 2>&1 & done`
    const floorTimes = []
    const times = []
    let leftover = 0
    for (let run = 1; run <= STOP_RUNS; run++) {
      progress(`stop: run ${run}/${STOP_RUNS}: floor: bash kill -TERM loop of ${n} setsid sleep`)
      timeRun("bash", ["-c", spawnLoop])
      await until(`${n} floor sleeps`, () => fleetPids(floorDir).length === n, 30_000)
      const pids = fleetPids(floorDir)
      floorTimes.push(timeRun("bash", ["-c", KILL_LOOP, "kill-loop", ...pids.map(String)]))
      await clearFleet(floorDir, { viaAgentctl: false })
      progress(`stop: run ${run}/${STOP_RUNS}: start --all, then stop --all of ${n} sleeping agents`)
      agentctl(fleet, ["start", "--all"], { allowFail: true })
      await waitRunning(fleet, n, 120_000)
      times.push(timeAgentctl(fleet, ["stop", "--all"]))
      await sleep(300)
      const left = fleetPids(fleet).length
      leftover = Math.max(leftover, left)
      if (left) await clearFleet(fleet, { viaAgentctl: false })
    }
    const t = median(times)
    const f = median(floorTimes)
    record({
      section: "stop",
      measurement: `stop --all, ${n} agents that die on SIGTERM`,
      figure: `${fmtMs(t)} (${(t / f).toFixed(2)}×, +${Math.round(t - f)} ms)`,
      floor: `bash kill -TERM loop: ${fmtMs(f)}`,
      target: `≤ floor + ${STOP_OVER_FLOOR_MS} ms`,
      ok: t - f <= STOP_OVER_FLOOR_MS && leftover === 0,
      note: stopNote(times, leftover) + `; floor ${fmtRuns(floorTimes)} ms`
    })
  } finally {
    destroyFleet(fleet)
  }
}

/**
 * 3. Logs: `logs -n 100` on a 200 MB raw log vs on a tiny one; one agent's throughput through the
 * launcher into rotated gzip files; the launcher under 100 agents writing 1,000 lines/s each;
 * `logs -n` across ~20 rotated compressed files; `logs --since 1m` on a ~1 GB history.
 */
const benchLogs = async () => {
  await guarded("logs -n 100, 200 MB raw log", logsRawTail)
  await guarded("launcher throughput, 1 agent", logsThroughput)
  await guarded("launcher, 100 agents × 1000 lines/s", logsLoad)
  await guarded("logs -n across rotated files", logsRotatedTail)
  await guarded("logs --since 1m, big history", logsSince)
}

/** A 200-line raw log (run/<id>.log, as an agent started without a launcher leaves): the floor of a `logs` run. */
const writeTinyLog = (fleet, id) => {
  let small = ""
  for (let i = 1; i <= 200; i++) small += `line ${i} of the small log\n`
  mkdirSync(path.join(fleet, "run"), { recursive: true })
  writeFileSync(path.join(fleet, "run", `${id}.log`), small)
}

/** logs -n 100 on a 200 MB log (run/<id>.log of an agent started without a launcher) vs on a tiny log. */
const logsRawTail = async () => {
  const fleet = newFleet("logs")
  try {
    addAgent(fleet, "big", "sleep", ["300"])
    addAgent(fleet, "small", "sleep", ["300"])
    mkdirSync(path.join(fleet, "run"))
    progress("logs: writing a 200 MB log")
    const total = 2_300_000
    const fd = openSync(path.join(fleet, "run", "big.log"), "w")
    try {
      for (let from = 1; from <= total; from += 50_000) {
        let chunk = ""
        for (let i = from; i < Math.min(from + 50_000, total + 1); i++) {
          chunk += `line ${i} of the big log, padded to look like a real agent line ......................\n`
        }
        writeSync(fd, chunk)
      }
    } finally {
      closeSync(fd)
    }
    writeTinyLog(fleet, "small")
    const size = statSync(path.join(fleet, "run", "big.log")).size

    const out = agentctl(fleet, ["logs", "big", "-n", "100"]).stdout
    const lines = out.split("\n").filter((line) => line.includes("of the big log"))
    if (lines.length !== 100 || !lines.at(-1).includes(`line ${total} of`)) {
      throw new Error(`logs big -n 100 printed ${lines.length} log lines, last: ${lastLine(out)}`)
    }
    progress(`logs: timing logs -n 100 on ${Math.round(size / 1e6)} MB vs tiny log (${RUNS} each, interleaved)`)
    agentctl(fleet, ["logs", "small", "-n", "100"])
    const tiny = []
    const big = []
    for (let i = 0; i < RUNS; i++) {
      tiny.push(timeAgentctl(fleet, ["logs", "small", "-n", "100"]))
      big.push(timeAgentctl(fleet, ["logs", "big", "-n", "100"]))
    }
    const diff = median(big) - median(tiny)
    record({
      section: "logs",
      measurement: `logs -n 100, ${Math.round(size / 1e6)} MB log`,
      figure: `${fmtMs(median(big))} (${diff >= 0 ? "+" : ""}${diff.toFixed(1)} ms)`,
      floor: `tiny log: ${fmtMs(median(tiny))}`,
      target: "≤ +20 ms",
      ok: diff <= 20
    })
  } finally {
    destroyFleet(fleet)
  }
}

const KiB = 1024
const MiB = 1024 * KiB
const fmtBytesMiB = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`
const fmtMBs = (mbPerSecond) => `${mbPerSecond >= 100 ? Math.round(mbPerSecond) : mbPerSecond.toFixed(1)} MB/s`
const fmtLines = (perSecond) =>
  perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M lines/s` : `${Math.round(perSecond / 1e3)}k lines/s`

/**
 * An agent that writes as fast as it can: argv[1] blocks of 10,000 identical 100-byte lines (1 MB,
 * one write(2) each, retried on EAGAIN in case the pipe is non-blocking), then one line that starts
 * with END, so a reader knows the last line arrived.
 */
const WRITER_CODE = [
  'const fs = require("node:fs")',
  'const block = Buffer.from(("x".repeat(99) + "\\n").repeat(10000))',
  "const pause = new Int32Array(new SharedArrayBuffer(4))",
  "const put = (buf) => {",
  "  for (let off = 0; off < buf.length; ) {",
  "    try { off += fs.writeSync(1, buf, off) }",
  '    catch (e) { if (e.code !== "EAGAIN") throw e; Atomics.wait(pause, 0, 0, 1) }',
  "  }",
  "}",
  "for (let i = 0; i < Number(process.argv[1]); i++) put(block)",
  'put(Buffer.from("END".padEnd(99, ".") + "\\n"))'
].join("\n")
const writerArgs = (mb) => ["-e", WRITER_CODE, String(mb)]
const writerBytes = (mb) => mb * 1e6 + 100
const writerLines = (mb) => mb * 10_000 + 1

/** Wall time (ms) of the writer with its stdout on `out` (a file it truncates, or /dev/null). */
const timeWriter = (mb, out) => {
  const fd = openSync(out, "w")
  try {
    const t0 = nowMs()
    const r = spawnSync(NODE, writerArgs(mb), { stdio: ["ignore", fd, "inherit"], timeout: 120_000 })
    const ms = nowMs() - t0
    if (r.error || r.status !== 0) throw new Error(`writer to ${out}: ${r.error?.message ?? `exit ${r.status}`}`)
    return ms
  } finally {
    closeSync(fd)
  }
}

/** The last line of `logs <id> -n 1 --json`, parsed. */
const newestRecord = (fleet, id) => JSON.parse(lastLine(agentctl(fleet, ["logs", id, "-n", "1", "--json"]).stdout))

const THROUGHPUT_MB = 100

/**
 * One agent writing THROUGHPUT_MB of 100-byte lines as fast as it can, through the launcher into
 * 10 MiB files, gzipped: from the agent's start (the launcher's "running" event's startedAt) to
 * the arrival time of its last line (that record's own time), beside the same writer into
 * /dev/null and into a plain file. And the launcher's CPU time meanwhile, to say what limits it.
 */
const logsThroughput = async () => {
  const mb = THROUGHPUT_MB
  const fleet = newFleet("logs-tput", "logs:\n  max_size: 10MiB\n  keep: 1000\n  max_total: 8GiB\n  compress: true\n")
  try {
    progress(`logs: floor: the writer, ${mb} MB to /dev/null and to a plain file (3 each, interleaved)`)
    const floorFile = path.join(fleet, "floor.out")
    const devnull = []
    const file = []
    for (let i = 0; i < 3; i++) {
      devnull.push(timeWriter(mb, "/dev/null"))
      file.push(timeWriter(mb, floorFile))
    }
    rmSync(floorFile, { force: true })

    addAgent(fleet, "w", NODE, writerArgs(mb), "restart: never", { enabled: false })
    agentctl(fleet, ["launcher", "start"])
    const launcher = launcherPid(fleet)
    await sleep(500) // past the launcher's own start
    const log = path.join(fleet, "run", "launcher.log")
    progress(`logs: one agent writing ${mb} MB through the launcher (10 MiB files, gzip)`)
    const cpu0 = cpuSeconds(launcher)
    const wall0 = nowMs()
    agentctl(fleet, ["start", "w"])
    listAgents(fleet) // remembers the writer's pid for cleanup
    const exited = await waitEvent(log, "exit of w", (e) => e.id === "w" && e.status === "exited", 120_000)
    const cpu = cpuSeconds(launcher) - cpu0
    const wall = (nowMs() - wall0) / 1000
    if (exited.detail?.exit?.code !== 0) throw new Error(`the writer exited: ${exited.message}`)
    const startedAt = launcherEvents(log).find((e) => e.id === "w" && e.status === "running")?.detail?.startedAt
    const last = newestRecord(fleet, "w")
    if (!String(last.text).startsWith("END")) throw new Error(`newest record of w is not its last line: ${last.text}`)
    if (typeof startedAt !== "number") throw new Error(`no "running" event with startedAt for w in ${log}`)
    const seconds = (last.at - startedAt) / 1000
    const rotated = readdirSync(path.join(fleet, "run", "logs", "w")).filter((name) => /^\d{16}\.log/.test(name))
    agentctl(fleet, ["launcher", "stop"])

    const bytes = writerBytes(mb)
    const lines = writerLines(mb)
    const floors = (fmt, amount) =>
      `to /dev/null: ${fmt(amount / (median(devnull) / 1000))}; to a file: ${fmt(amount / (median(file) / 1000))}`
    const mbs = bytes / 1e6 / seconds
    record({
      section: "logs",
      measurement: `launcher throughput, 1 agent, ${mb} MB of 100-byte lines → 10 MiB files, gzip`,
      figure: fmtMBs(mbs),
      floor: floors(fmtMBs, bytes / 1e6),
      target: "≥ 50 MB/s",
      ok: mbs >= 50,
      note: `agent start → last line stored: ${fmtMs(seconds * 1000)}; ${rotated.length} rotated files`
    })
    record({
      section: "logs",
      measurement: `launcher throughput, 1 agent, ${mb} MB of 100-byte lines, in lines`,
      figure: fmtLines(lines / seconds),
      floor: floors(fmtLines, lines),
      target: "≥ 200k lines/s",
      ok: lines / seconds >= 200_000
    })
    const share = (cpu / wall) * 100
    record({
      section: "logs",
      measurement: "launcher CPU during that run (user + system, all threads)",
      figure: `${cpu.toFixed(1)} s in ${wall.toFixed(1)} s (${Math.round(share)}% of a core)`,
      note:
        share >= 85
          ? "the launcher is CPU-bound: its CPU is the limit"
          : "the launcher had CPU to spare: the limit is elsewhere (the writer, the pipe, the disk)"
    })
  } finally {
    destroyFleet(fleet)
  }
}

const fileSize = (file) => {
  try {
    return statSync(file).size
  } catch {
    return 0 // not there (yet, or any more)
  }
}

/** The seq of the last whole record in an agent's current.log; null while it holds none (just rotated). */
const currentSeq = (fleet, id) => {
  let fd
  try {
    fd = openSync(path.join(fleet, "run", "logs", id, "current.log"), "r")
  } catch {
    return null
  }
  try {
    const size = fstatSync(fd).size
    const length = Math.min(size, 16 * 1024)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    const lines = buffer.toString("latin1").split("\n")
    lines.pop() // after the last newline: nothing, or a record being written
    for (let i = lines.length - 1; i >= (size > length ? 1 : 0); i--) {
      const m = /^(\d+) \d+ [oeOEpqxm] /.exec(lines[i])
      if (m) return Number(m[1])
    }
    return null
  } finally {
    closeSync(fd)
  }
}
/** Every agent's current seq (each retried for a second while its current.log is empty after a rotation). */
const currentSeqs = async (fleet, ids) => {
  const seqs = new Map()
  for (let attempt = 0; attempt < 20 && seqs.size < ids.length; attempt++) {
    if (attempt > 0) await sleep(50)
    for (const id of ids) {
      if (seqs.has(id)) continue
      const seq = currentSeq(fleet, id)
      if (seq !== null) seqs.set(id, seq)
    }
  }
  return seqs
}

const LOAD_AGENTS = 100
const LOAD_SECONDS = 20
// A budget the load must hit: 100 current files stay within 12.5 MiB, so the rotated (compressed)
// ones are what max_total evicts; min_keep × 100 (3.1 MiB) leaves it room to.
const LOAD_MAX_TOTAL = 16 * MiB
const LOAD_MAX_SIZE = 128 * KiB
const LOAD_SETTINGS = "logs:\n  max_size: 128KiB\n  keep: 5\n  max_total: 16MiB\n  min_keep: 32KiB\n  compress: true\n"
/**
 * ≈ 1,000 lines/s of 80 bytes: 100 lines in one printf, then a tenth of a second's wait, in bash
 * builtins (one seq at the start). Forking seq and sleep 10× a second per agent instead took both
 * CPUs of a small machine, and the launcher, starved, did not open its socket within a minute.
 */
const LOAD_LOOP =
  `exec 3<> <(:); block=$(seq -f "agent line %.0f ${".".repeat(64)}" 1 100); ` +
  `while :; do printf '%s\\n' "$block"; read -t 0.1 -u 3; done`

/** RSS of a launcher with n sleeping agents under the load's settings: the floor for its RSS under load. */
const idleLauncherRssKb = async (n) => {
  const fleet = newFleet("logs-idle", LOAD_SETTINGS)
  try {
    for (let i = 1; i <= n; i++) addAgent(fleet, `q${i}`, "sleep", ["3600"])
    progress(`logs: floor: launcher start with ${n} sleeping agents, its RSS`)
    agentctl(fleet, ["launcher", "start"])
    await waitRunning(fleet, n, 90_000)
    await sleep(1000)
    const kb = rssKb(launcherPid(fleet))
    agentctl(fleet, ["launcher", "stop"], { allowFail: true, timeoutMs: 120_000 })
    return kb
  } finally {
    destroyFleet(fleet)
  }
}

/**
 * 100 agents each writing ≈ 1,000 lines/s under the launcher for LOAD_SECONDS, sampled every
 * 0.5 s: the launcher's CPU (utime + stime over wall time), its RSS, and the bytes under run/
 * (as `du -sb`) against max_total + one max_size.
 */
const logsLoad = async () => {
  const floorKb = await idleLauncherRssKb(LOAD_AGENTS)
  const fleet = newFleet("logs-load", LOAD_SETTINGS)
  try {
    const ids = []
    for (let i = 1; i <= LOAD_AGENTS; i++) {
      ids.push(`a${i}`)
      addAgent(fleet, `a${i}`, "bash", ["-c", LOAD_LOOP])
    }
    progress(`logs: launcher start with ${LOAD_AGENTS} agents writing ≈ 1,000 lines/s each`)
    agentctl(fleet, ["launcher", "start"])
    const polled = await waitRunning(fleet, LOAD_AGENTS, 90_000)
    const pid = launcherPid(fleet)
    const run = path.join(fleet, "run")
    const limit = LOAD_MAX_TOTAL + LOAD_MAX_SIZE
    progress(`logs: sampling the launcher and run/ every 0.5 s for ${LOAD_SECONDS} s`)
    const seqs0 = await currentSeqs(fleet, ids)
    const t0 = nowMs()
    let prevCpu = cpuSeconds(pid)
    let prevWall = t0
    const samples = []
    while (nowMs() - t0 < LOAD_SECONDS * 1000) {
      await sleep(500)
      const cpu = cpuSeconds(pid)
      const wall = nowMs()
      samples.push({
        cpu: ((cpu - prevCpu) / ((wall - prevWall) / 1000)) * 100,
        rssKb: rssKb(pid),
        bytes: apparentBytes(run),
        current: ids.reduce((sum, id) => sum + fileSize(path.join(run, "logs", id, "current.log")), 0)
      })
      prevCpu = cpu
      prevWall = wall
    }
    const seqs1 = await currentSeqs(fleet, ids)
    const seconds = (nowMs() - t0) / 1000
    let stored = 0
    let counted = 0
    for (const id of ids) {
      if (seqs0.has(id) && seqs1.has(id)) {
        stored += seqs1.get(id) - seqs0.get(id)
        counted++
      }
    }
    const linesPerSecond = (stored / seconds) * (LOAD_AGENTS / Math.max(counted, 1))
    progress(`logs: launcher stop (${LOAD_AGENTS} agents)`)
    agentctl(fleet, ["launcher", "stop"], { allowFail: true, timeoutMs: 120_000 })

    const cpuShares = samples.map((s) => s.cpu)
    const maxRss = Math.max(...samples.map((s) => s.rssKb))
    const maxBytes = Math.max(...samples.map((s) => s.bytes))
    const over = samples.filter((s) => s.bytes > limit).length
    const maxCurrent = Math.max(...samples.map((s) => s.current))
    const label = `${LOAD_AGENTS} agents × 1000 lines/s, ${LOAD_SECONDS} s`
    record({
      section: "logs",
      measurement: `launcher CPU, ${label}`,
      figure: `median ${Math.round(median(cpuShares))}%, max ${Math.round(Math.max(...cpuShares))}% of a core`,
      note:
        `${samples.length} samples; ≈ ${fmtLines(linesPerSecond)} stored, by the agents' seqs` +
        `${counted < LOAD_AGENTS ? ` (${counted} of ${LOAD_AGENTS} read)` : ""}${pollNote(polled)}`
    })
    record({
      section: "logs",
      measurement: `launcher RSS, ${label}`,
      figure: `max ${fmtMiB(maxRss)}`,
      floor: `idle, ${LOAD_AGENTS} sleeping agents: ${fmtMiB(floorKb)}`,
      target: "≤ 64 MiB",
      ok: maxRss <= 64 * 1024
    })
    record({
      section: "logs",
      measurement: `run/ (du -sb), ${label}, max_total 64 MiB, max_size 1 MiB, keep 3`,
      figure: `max ${fmtBytesMiB(maxBytes)}`,
      floor: `max_total + max_size: ${fmtBytesMiB(limit)}`,
      target: "within, every sample",
      ok: over === 0,
      note:
        (over ? `over at ${over} of ${samples.length} samples` : `${samples.length} samples`) +
        `; the ${LOAD_AGENTS} current.log files alone up to ${fmtBytesMiB(maxCurrent)} (the budget evicts rotated files)`
    })
  } finally {
    destroyFleet(fleet)
  }
}

/** Waits until check() holds, polling every 100 ms. */
const until = async (what, check, timeoutMs) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s`)
    await sleep(100)
  }
}

const ROTATED_MB = 19 // ≈ 23 MB of records: ≈ 20 rotated files of 1 MiB + current.log

/**
 * `logs -n 100` and `logs -n 100000` of one agent whose history is ≈ 20 rotated gzip files +
 * current.log (written through the launcher by the fast writer, max_size 1 MiB), vs `node -e 0`.
 */
const logsRotatedTail = async () => {
  const fleet = newFleet("logs-rot", "logs:\n  max_size: 1MiB\n  keep: 1000\n  max_total: 8GiB\n  compress: true\n")
  try {
    addAgent(fleet, "w", NODE, writerArgs(ROTATED_MB), "restart: never")
    addAgent(fleet, "small", "sleep", ["300"], "", { enabled: false })
    progress(`logs: writing ${ROTATED_MB} MB through the launcher into 1 MiB files (gzip)`)
    agentctl(fleet, ["launcher", "start"])
    listAgents(fleet)
    const log = path.join(fleet, "run", "launcher.log")
    await waitEvent(log, "exit of w", (e) => e.id === "w" && e.status === "exited", 120_000)
    const dir = path.join(fleet, "run", "logs", "w")
    await until(
      "every rotated file compressed",
      () => readdirSync(dir).every((name) => !/^\d{16}\.log$/.test(name) && !name.endsWith(".tmp")),
      60_000
    )
    agentctl(fleet, ["launcher", "stop"])
    const rotated = readdirSync(dir).filter((name) => /^\d{16}\.log\.gz$/.test(name)).length
    writeTinyLog(fleet, "small")

    const tail = agentctl(fleet, ["logs", "w", "-n", "100"]).stdout.split("\n").filter(Boolean)
    if (tail.length !== 100 || !tail.at(-1).startsWith("END")) {
      throw new Error(`logs w -n 100 printed ${tail.length} lines, last: ${tail.at(-1)}`)
    }
    const many = agentctl(fleet, ["logs", "w", "-n", "100000"]).stdout.split("\n").filter(Boolean).length
    if (many !== 100_000) throw new Error(`logs w -n 100000 printed ${many} lines`)

    progress(`logs: timing logs -n 100 / -n 100000 across ${rotated} rotated files vs node -e 0 (${RUNS} each)`)
    timeRun(NODE, ["-e", "0"])
    agentctl(fleet, ["logs", "small", "-n", "100"])
    const floor = []
    const tiny = []
    const n100 = []
    const n100k = []
    for (let i = 0; i < RUNS; i++) {
      floor.push(timeRun(NODE, ["-e", "0"]))
      tiny.push(timeAgentctl(fleet, ["logs", "small", "-n", "100"]))
      n100.push(timeAgentctl(fleet, ["logs", "w", "-n", "100"]))
      n100k.push(timeAgentctl(fleet, ["logs", "w", "-n", "100000"]))
    }
    const f = median(floor)
    const small = median(tiny)
    for (const [n, times] of [
      [100, n100],
      [100_000, n100k]
    ]) {
      const t = median(times)
      record({
        section: "logs",
        measurement: `logs -n ${n}, ${rotated} rotated gzip files (1 MiB) + current`,
        figure: `${fmtMs(t)} (+${(t - f).toFixed(1)} ms)`,
        floor: `node -e 0: ${fmtMs(f)}; tiny log: ${fmtMs(small)}`,
        note:
          `${signed(t - small)} ms over the tiny log` +
          (n === 100_000 ? "; ≈ 12 MB of records: the newest ≈ 12 files read" : "")
      })
    }
  } finally {
    destroyFleet(fleet)
  }
}

const HISTORY_FILE = 64 * MiB
const HISTORY_RECORD = 100
const HISTORY_HOURS = 4
const HISTORY_COMPRESSED = 3

/**
 * `logs <id> --since 1m` on a big history written straight into the layout (no launcher): rotated
 * files of 64 MiB of 100-byte records whose times spread evenly over the last 4 hours up to 20 s
 * before generation started, each given its newest record's time as mtime (what the launcher's
 * rotation leaves), the newest HISTORY_COMPRESSED gzipped with the launcher's compressSegment, then
 * current.log holding the rest up to now at the same pace. `-n 999999999`, so the time bound
 * ends the read, not the tail; stdout to /dev/null, vs `node -e 0`.
 */
const logsSince = async () => {
  const disk = statfsSync(tmpdir())
  const roomy = disk.bavail * disk.bsize >= 8 * 1024 * MiB
  const total = roomy ? 1024 * MiB : 256 * MiB
  const files = total / HISTORY_FILE
  const fleet = newFleet("logs-since")
  try {
    addAgent(fleet, "h", "sleep", ["300"])
    addAgent(fleet, "small", "sleep", ["300"])
    writeTinyLog(fleet, "small")
    const dir = path.join(fleet, "run", "logs", "h")
    mkdirSync(dir, { recursive: true })
    progress(`logs: writing a ${total / MiB} MiB history: ${files} rotated files of 64 MiB + current.log`)
    const g0 = Date.now()
    const perFile = Math.floor(HISTORY_FILE / HISTORY_RECORD)
    const rotatedRecords = perFile * files
    const from = g0 - HISTORY_HOURS * 3600_000
    const to = g0 - 20_000
    const step = (to - from) / rotatedRecords // ms between records
    const at = (seq) => Math.floor(from + (seq - 1) * step)
    const pad = `history line of a long-running agent, padded to a hundred bytes ${".".repeat(HISTORY_RECORD)}`
    const writeRecords = (file, first, last) => {
      const fd = openSync(file, "w")
      try {
        for (let seq = first; seq <= last;) {
          const end = Math.min(seq + 20_000, last + 1)
          let chunk = ""
          for (; seq < end; seq++) {
            const head = `${seq} ${at(seq)} o `
            chunk += `${head}${pad.slice(0, HISTORY_RECORD - 1 - head.length)}\n`
          }
          writeSync(fd, chunk)
        }
      } finally {
        closeSync(fd)
      }
    }
    const { compressSegment } = await import(path.join(repo, "packages/shell/src/internal/gzSegment.ts"))
    for (let i = 0; i < files; i++) {
      const first = i * perFile + 1
      const last = first + perFile - 1
      const plain = path.join(dir, `${String(first).padStart(16, "0")}.log`)
      writeRecords(plain, first, last)
      const mtime = (at(last) + 1) / 1000
      utimesSync(plain, mtime, mtime)
      if (i >= files - HISTORY_COMPRESSED) {
        await compressSegment(plain, `${plain}.gz`) // keeps the mtime
        rmSync(plain)
      }
    }
    const nowSeq = Math.floor((Date.now() - from) / step) + 1
    writeRecords(path.join(dir, "current.log"), rotatedRecords + 1, Math.max(nowSeq, rotatedRecords + 1))
    const genSeconds = (Date.now() - g0) / 1000

    const since = ["logs", "h", "--since", "1m", "-n", "999999999"]
    const count = () => agentctl(fleet, since).stdout.split("\n").filter(Boolean).length
    const boundaryInRotated = Date.now() - 60_000 < to
    const before = count()
    if (before === 0) throw new Error("logs --since 1m printed nothing")
    progress(`logs: timing logs --since 1m (${before} lines) vs node -e 0 (${RUNS} each, interleaved)`)
    timeRun(NODE, ["-e", "0"])
    const floor = []
    const tiny = []
    const times = []
    for (let i = 0; i < RUNS; i++) {
      floor.push(timeRun(NODE, ["-e", "0"]))
      tiny.push(timeAgentctl(fleet, ["logs", "small", "-n", "100"]))
      times.push(timeAgentctl(fleet, since))
    }
    const after = count()
    const t = median(times)
    const f = median(floor)
    const small = median(tiny)
    record({
      section: "logs",
      measurement: `logs --since 1m, ${total / MiB} MiB history (${files} rotated × 64 MiB, newest ${HISTORY_COMPRESSED} gzip)`,
      figure: `${fmtMs(t)} (+${(t - f).toFixed(1)} ms)`,
      floor: `node -e 0: ${fmtMs(f)}; tiny log -n 100: ${fmtMs(small)}`,
      note:
        `${signed(t - small)} ms over the tiny log; ${before} lines matched before the runs, ${after} after; records over the last ${HISTORY_HOURS} h, ` +
        `the 1m bound ${boundaryInRotated ? "inside the newest rotated (gzip) file" : "inside current.log"}; ` +
        `history written in ${genSeconds.toFixed(1)} s` +
        (roomy ? "" : "; 256 MiB, not 1 GiB: under 8 GiB free in the temp dir")
    })
  } finally {
    destroyFleet(fleet)
  }
}

/** 4–7. The launcher: RSS at 10/100/300, ls through it at 300, first-restart latency, stop of 100 stubborn agents. */
const benchLauncher = async () => {
  progress("launcher: RSS floor (idle node with the launcher's flags)")
  const floorKb = await idleNodeRssKb()

  // 4 + 6: RSS at 10/100/300 sleeping agents; ls --json through the launcher at 300
  for (const n of [10, 100, 300]) {
    await guarded(`launcher with ${n} agents`, () => launcherRss(n, floorKb))
  }
  // 5: first-restart latency after a crash that follows a stable run (stable_after: 1s)
  await guarded("crash → restart", launcherCrash)
  // 7: stop --all of 100 SIGTERM-ignoring agents through the launcher
  await guarded("stop via launcher", launcherStop)
}

/** Runs one part of a section; a failure is recorded as that part's ERROR row and the section goes on. */
const guarded = async (label, fn) => {
  try {
    await fn()
  } catch (error) {
    record({
      measurement: label,
      figure: "ERROR",
      verdict: "ERROR",
      note: error instanceof Error ? error.message : String(error)
    })
  }
}

const launcherRss = async (n, floorKb) => {
  const fleet = newFleet(`launcher${n}`)
  try {
    for (let i = 1; i <= n; i++) addAgent(fleet, `m${i}`, "sleep", ["3600"])
    progress(`launcher: launcher start with ${n} sleeping agents`)
    const t0 = Date.now()
    agentctl(fleet, ["launcher", "start"])
    const polled = await waitRunning(fleet, n, 90_000)
    const upMs = Date.now() - t0
    await sleep(1000)
    const pid = launcherPid(fleet)
    const kb = rssKb(pid)
    record({
      section: "launcher",
      measurement: `launcher RSS, ${n} sleeping agents`,
      figure: fmtMiB(kb),
      floor: `idle node: ${fmtMiB(floorKb)}`,
      target: n === 300 ? "≤ 60 MiB" : "—",
      ok: n === 300 ? kb <= 60 * 1024 : null,
      note: `all ${n} running ${(upMs / 1000).toFixed(1)} s after launcher start${pollNote(polled)}`
    })
    if (n === 300) {
      progress(`launcher: timing ls --json through the launcher at 300 agents vs node -e 0 (${RUNS} each)`)
      const { floor, ls } = lsVsNode(fleet)
      const ratio = ls / floor
      record({
        section: "launcher",
        measurement: "ls --json via launcher, 300 agents",
        figure: `${fmtMs(ls)} (${ratio.toFixed(2)}×)`,
        floor: `node -e 0: ${fmtMs(floor)}`,
        target: "≤ 1.5×",
        ok: ratio <= 1.5
      })
    }
    progress(`launcher: launcher stop (${n} agents)`)
    agentctl(fleet, ["launcher", "stop"])
  } finally {
    destroyFleet(fleet)
  }
}

const launcherCrash = async () => {
  const fleet = newFleet("crash", "restart:\n  stable_after: 1s\n  max_failures: 1000\n")
  try {
    for (const [i, secs] of [
      [1, "2"],
      [2, "2.3"],
      [3, "2.6"]
    ]) {
      addAgent(fleet, `c${i}`, "bash", ["-c", `sleep ${secs}; exit 1`], "restart: on-failure")
    }
    progress("launcher: crash → restart latency (3 agents that exit 1 after 2–2.6 s; stable_after 1s)")
    const floor = []
    for (let i = 0; i < RUNS; i++) {
      const t0 = nowMs()
      const child = spawn("true", [], { stdio: "ignore" })
      await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject))
      floor.push(nowMs() - t0)
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)))
    }
    agentctl(fleet, ["launcher", "start"])
    const log = path.join(fleet, "run", "launcher.log")
    const deadline = Date.now() + 14_000
    let samples = []
    while (Date.now() < deadline) {
      await sleep(500)
      try {
        listAgents(fleet) // remembers the agents' pids for cleanup
      } catch {
        // the next poll will do
      }
      samples = restartLatencies(log)
      if (samples.length >= RUNS) break
    }
    agentctl(fleet, ["launcher", "stop"])
    if (samples.length === 0) throw new Error(`no crash → running pair found in ${log}`)
    const latencies = samples.map((s) => s.running)
    const spawned = samples.map((s) => s.spawned).filter((x) => Number.isFinite(x))
    const m = median(latencies)
    record({
      section: "launcher",
      measurement: "first restart after a crash (launcher)",
      figure: fmtMs(m),
      floor: `node spawn(): ${fmtMs(median(floor))}`,
      target: "≤ 100 ms",
      ok: m <= 100,
      note:
        `exit → "running" event, median of ${latencies.length} (${Math.round(Math.min(...latencies))}–` +
        `${Math.round(Math.max(...latencies))} ms)` +
        (spawned.length ? `; exit → process started: ${fmtMs(median(spawned))}` : "")
    })
  } finally {
    destroyFleet(fleet)
  }
}

const launcherStop = async () => {
  const fleet = newFleet("lstop")
  try {
    for (let i = 1; i <= 100; i++) addAgent(fleet, `s${i}`, "bash", STUBBORN, "stop_timeout: 2s\nrestart: always")
    progress("launcher: launcher start with 100 SIGTERM-ignoring agents")
    agentctl(fleet, ["launcher", "start"])
    const launcher = launcherPid(fleet)
    const times = []
    let leftover = 0
    for (let run = 1; run <= STOP_RUNS; run++) {
      if (run > 1) agentctl(fleet, ["start", "--all"], { allowFail: true })
      await waitRunning(fleet, 100, 90_000)
      await sleep(500)
      progress(`launcher: run ${run}/${STOP_RUNS}: stop --all --timeout 2s through the launcher`)
      times.push(timeAgentctl(fleet, ["stop", "--all", "--timeout", "2s"]))
      await sleep(300)
      leftover = Math.max(leftover, fleetPids(fleet).filter((pid) => pid !== launcher).length)
    }
    agentctl(fleet, ["launcher", "stop"])
    recordStop("launcher", "stop --all via launcher, 100 SIGTERM-ignoring agents", times, leftover)
  } finally {
    destroyFleet(fleet)
  }
}

/** The agents' status events among the launcher's JSON lines (run/launcher.log), by seq. */
const launcherEvents = (log) => {
  let text = ""
  try {
    text = readFileSync(log, "utf8")
  } catch {
    return []
  }
  const events = []
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue
    try {
      const event = JSON.parse(line)
      if (typeof event.seq === "number" && typeof event.id === "string") events.push(event)
    } catch {
      // a line being written
    }
  }
  return events.toSorted((a, b) => a.seq - b.seq)
}

/** The first status event that matches, polling the launcher's log every 100 ms. */
const waitEvent = async (log, what, match, timeoutMs) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const event = launcherEvents(log).find(match)
    if (event !== undefined) return event
    if (Date.now() > deadline) throw new Error(`no ${what} in ${log} after ${timeoutMs / 1000} s`)
    await sleep(100)
  }
}

/** Pairs (crash, next "running" event of the same agent) from the launcher's JSON lines. */
const restartLatencies = (log) => {
  const events = launcherEvents(log)
  const pending = new Map() // id -> exit.at of a crash not yet followed by "running"
  const samples = []
  for (const event of events) {
    const exitAt = event.detail?.exit?.at
    if (["exited", "backoff", "gave-up"].includes(event.status) && typeof exitAt === "number") {
      if (!pending.has(event.id)) pending.set(event.id, exitAt)
    } else if (event.status === "running" && pending.has(event.id)) {
      const exitAt0 = pending.get(event.id)
      pending.delete(event.id)
      samples.push({ running: event.at - exitAt0, spawned: (event.detail?.startedAt ?? NaN) - exitAt0 })
    }
  }
  return samples
}

// --- 8. the HTTP API under load ---

const onPath = (name) =>
  (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, name)))

const ensureWrk = () => {
  if (onPath("wrk")) return true
  progress("api: wrk not on PATH; trying apt-get install -y wrk")
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "-qq", "wrk"], { stdio: "ignore", env, timeout: 120_000 }).status === 0
  if (install()) return onPath("wrk")
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore", env, timeout: 120_000 })
  return install() && onPath("wrk")
}

const portFree = (port) =>
  new Promise((resolve) => {
    const server = createServer()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
  })
const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const toMs = (value) => {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value)
  if (!m) return NaN
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2]]
}

const wrk = (url, seconds, headers = []) => {
  const args = ["-t2", "-c50", `-d${seconds}s`, "--latency", ...headers.flatMap((h) => ["-H", h]), url]
  const r = spawnSync("wrk", args, { encoding: "utf8", timeout: (seconds + 30) * 1000 })
  if (r.error) throw new Error(`wrk: ${r.error.message}`)
  const out = `${r.stdout}\n${r.stderr}`
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)
  const p99 = toMs(/^\s*99%\s+(\S+)/m.exec(out)?.[1] ?? "")
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const socketErrors = /Socket errors:[^\n]*/.exec(out)?.[0] ?? ""
  const transfer = /Transfer\/sec:\s+(\S+)/.exec(out)?.[1] ?? "?"
  if (!Number.isFinite(rps)) throw new Error(`wrk ${url}: no figures (${lastLine(out)})`)
  return { rps, p99, non2xx, socketErrors, transfer }
}

const apiRow = (measurement, result, floor, target, ok) => {
  const problems = [result.non2xx ? `${result.non2xx} non-2xx responses` : "", result.socketErrors]
    .filter(Boolean)
    .join("; ")
  record({
    section: "api",
    measurement,
    figure: `${Math.round(result.rps)} req/s, p99 ${fmtMs(result.p99)}`,
    floor,
    target,
    ok: ok === null ? null : ok && result.non2xx === 0,
    note: problems
  })
}

/**
 * 8. The HTTP API: GET /agents and /healthz under wrk at 100 agents; then at 1000 agents the
 * launcher's RSS, GET /agents p99, and how soon an /events subscriber sees a state change.
 */
const benchApi = async () => {
  if (!ensureWrk()) {
    console.log("skipped: wrk not available")
    record({
      section: "api",
      measurement: "HTTP API under load",
      figure: "skipped",
      verdict: "skipped",
      note: "wrk not available"
    })
    return
  }
  await guarded("HTTP API, 100 agents", api100)
  await guarded("HTTP API, 1000 agents", api1000)
}

/**
 * A launcher with n sleeping agents (restart: always) and its API on TCP (7717, else a free port),
 * answering /healthz, its GET /agents listing all n. The caller destroys `fleet`.
 */
const apiLauncher = async (label, n) => {
  const port = (await portFree(7717)) ? 7717 : await freePort()
  const fleet = newFleet(label, port === 7717 ? "" : `api:\n  port: ${port}\n`)
  const base = `http://127.0.0.1:${port}`
  for (let i = 1; i <= n; i++) addAgent(fleet, `l${i}`, "sleep", ["3600"], "restart: always")
  progress(`api: launcher start with ${n} sleeping agents (API on ${base})`)
  const t0 = nowMs()
  agentctl(fleet, ["launcher", "start"], { timeoutMs: 300_000 })
  const polled = await waitRunning(fleet, n, 300_000)
  const upMs = nowMs() - t0
  const pid = launcherPid(fleet)

  let health = "no answer"
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) })
      health = `HTTP ${res.status}`
      if (res.ok) break
    } catch (error) {
      health = error.cause?.code ?? error.message
    }
    await sleep(250)
  }
  if (health !== "HTTP 200") throw new Error(`API not answering: GET ${base}/healthz → ${health}`)
  const tokenFile = path.join(fleet, "run", "api.token")
  if (!existsSync(tokenFile)) throw new Error(`API: no token in ${tokenFile}`)
  const token = readFileSync(tokenFile, "utf8").trim()
  const check = await fetch(`${base}/agents`, { headers: { authorization: `Bearer ${token}` } })
  const body = await check.text()
  if (check.status !== 200) throw new Error(`API: GET /agents → HTTP ${check.status}: ${body.slice(0, 200)}`)
  const listed = JSON.parse(body)
  const count = Array.isArray(listed) ? listed.length : (listed.agents ?? []).length
  if (count !== n) throw new Error(`API: GET /agents lists ${count} agents, not ${n}`)
  return { fleet, base, pid, token, auth: `Authorization: Bearer ${token}`, upMs, polled, bodyBytes: body.length }
}

/** A 2 s warm-up, then 10 s of GET /agents and 10 s of GET /healthz at 50 connections. `agents`: named in the progress lines. */
const wrkAgentsAndHealthz = (base, auth, agents) => {
  const of = agents === null ? "" : `${agents} agents, `
  progress(`api: wrk warm-up, 2 s${agents === null ? "" : ` (${agents} agents)`}`)
  wrk(`${base}/agents`, 2, [auth])
  progress(`api: wrk GET /agents, ${of}50 connections, 10 s`)
  const list = wrk(`${base}/agents`, 10, [auth])
  progress(`api: wrk GET /healthz, ${of}50 connections, 10 s`)
  return { agents: list, healthz: wrk(`${base}/healthz`, 10) }
}

const api100 = async () => {
  let fleet
  try {
    const api = await apiLauncher("api", 100)
    fleet = api.fleet
    const { base, pid, auth } = api

    const rssBefore = rssKb(pid)
    const { agents, healthz } = wrkAgentsAndHealthz(base, auth, null)
    const rssAfter = rssKb(pid)
    // The launcher gives back a burst's garbage after a quiet second (releaseMemory.ts).
    await sleep(2000)
    const rssRested = rssKb(pid)
    agentctl(fleet, ["launcher", "stop"])

    progress("api: floor: bare node:http server, 50 connections, 5 s")
    const bare = await bareServerFloor()
    const floorText = (r) => `${Math.round(r.rps)} req/s, p99 ${fmtMs(r.p99)}`
    apiRow(
      "GET /agents, 100 agents, 50 conns",
      agents,
      `/healthz: ${floorText(healthz)}`,
      "≥ 2000 req/s, p99 ≤ 50 ms",
      agents.rps >= 2000 && agents.p99 <= 50
    )
    apiRow("GET /healthz, 50 conns", healthz, `bare node:http: ${floorText(bare)}`, "—", null)
    record({
      section: "api",
      measurement: "launcher RSS right after the load runs",
      figure: fmtMiB(rssAfter),
      floor: `before: ${fmtMiB(rssBefore)}`
    })
    record({
      section: "api",
      measurement: "launcher RSS 2 s after the load",
      figure: fmtMiB(rssRested),
      floor: `before: ${fmtMiB(rssBefore)}`,
      target: "≤ 60 MiB",
      ok: rssRested <= 60 * 1024
    })
  } finally {
    if (fleet) destroyFleet(fleet)
  }
}

const EVENT_RUNS = 5

/**
 * 1000 sleeping agents under the launcher: its RSS (against an idle node with its flags), GET
 * /agents under wrk (p99 against /healthz's in the same run), and from SIGKILL of an agent's pid
 * to an /events subscriber's first event of that agent (against this process seeing its own
 * child's exit), median of EVENT_RUNS, a different agent each time (restart: always brings each
 * back; its first event is the restart's backoff, and no agent's backoff has grown from an earlier kill).
 */
const api1000 = async () => {
  progress("api: RSS floor (idle node with the launcher's flags)")
  const floorKb = await idleNodeRssKb()
  let fleet
  try {
    const api = await apiLauncher("api1000", 1000)
    fleet = api.fleet
    const { base, pid, auth, token } = api
    await sleep(1000)
    const rss = rssKb(pid)
    record({
      section: "api",
      measurement: "launcher RSS, 1000 sleeping agents",
      figure: `${fmtMiB(rss)} (${(rss / floorKb).toFixed(2)}×)`,
      floor: `idle node: ${fmtMiB(floorKb)}`,
      target: "≤ 64 MiB",
      ok: rss <= 64 * 1024,
      note: `all 1000 running ${(api.upMs / 1000).toFixed(1)} s after launcher start${pollNote(api.polled)}`
    })

    await guarded("/events at 1000 agents", async () => {
      progress(`api: /events: SIGKILL of an agent → its first event, ${EVENT_RUNS} agents`)
      const floor = []
      for (let i = 0; i < EVENT_RUNS; i++) floor.push(await childExitMs())
      const rows = listAgents(fleet)
      const events = await subscribeEvents(`${base}/events`, token)
      const times = []
      const stamped = [] // the event's own `at` after the kill: detection, without the delivery
      const seen = []
      try {
        for (let i = 1; i <= EVENT_RUNS; i++) {
          const id = `l${i * 100}`
          const agentPid = rows.find((row) => row.id === id)?.pid
          if (typeof agentPid !== "number" || !alive(agentPid)) throw new Error(`no live pid for ${id} in ls --json`)
          const next = events.next((event) => event.id === id, 10_000)
          const wall0 = Date.now()
          const t0 = nowMs()
          process.kill(agentPid, "SIGKILL")
          const { event, at } = await next
          times.push(at - t0)
          stamped.push(event.at - wall0)
          seen.push(event.status)
          await sleep(300)
        }
      } finally {
        events.close()
      }
      const t = median(times)
      const f = median(floor)
      record({
        section: "api",
        measurement: "/events, 1000 agents: SIGKILL of an agent → its first event",
        figure: `${fmtMs(t)} (${(t / f).toFixed(1)}×)`,
        floor: `node sees its child's SIGKILL exit: ${fmtMs(f)}`,
        target: "≤ 50 ms",
        ok: t <= 50,
        note:
          `median of ${EVENT_RUNS}: ${times.map((x) => x.toFixed(1)).join(", ")} ms; first events: ${[...new Set(seen)].join(", ")}; ` +
          `the launcher stamped them (their \`at\`) ${fmtMs(median(stamped))} after the kill (median, ms clock)`
      })
    })

    const { agents, healthz } = wrkAgentsAndHealthz(base, auth, 1000)
    const rssAfter = rssKb(pid)
    agentctl(fleet, ["launcher", "stop"], { allowFail: true, timeoutMs: 300_000 })
    record({
      section: "api",
      measurement: "GET /agents, 1000 agents, 50 conns",
      figure: `p99 ${fmtMs(agents.p99)} (${(agents.p99 / healthz.p99).toFixed(1)}×), ${Math.round(agents.rps)} req/s`,
      floor: `/healthz: p99 ${fmtMs(healthz.p99)}, ${Math.round(healthz.rps)} req/s`,
      target: "p99 ≤ 20 ms",
      ok: agents.p99 <= 20 && agents.non2xx === 0,
      note: [
        agents.non2xx ? `${agents.non2xx} non-2xx responses` : "",
        agents.socketErrors,
        `${Math.round(api.bodyBytes / 1024)} KiB a response, wrk read ${agents.transfer}/s; launcher RSS after the load: ${fmtMiB(rssAfter)}`
      ]
        .filter(Boolean)
        .join("; ")
    })
  } finally {
    if (fleet) destroyFleet(fleet)
  }
}

/** From SIGKILL of a child of ours to its `exit` event here: how soon any Node parent can know. */
const childExitMs = async () => {
  const child = spawn("sleep", ["3600"], { stdio: "ignore" })
  await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject))
  helpers.set(child.pid, procStart(child.pid))
  try {
    await sleep(50)
    const exited = new Promise((resolve) => child.once("exit", resolve))
    const t0 = nowMs()
    child.kill("SIGKILL")
    await exited
    return nowMs() - t0
  } finally {
    helpers.delete(child.pid)
  }
}

/**
 * A subscriber of /events: `next(match, ms)` promises the first event (the parsed `data:` of a
 * frame) that matches, with the time its chunk arrived here; resolves only on events that arrive
 * after the call. Waits for the stream's first comment (": connected") before returning.
 */
const subscribeEvents = async (url, token) => {
  const controller = new AbortController()
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal })
  if (res.status !== 200) throw new Error(`GET ${url} → HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`)
  const waiters = new Set()
  let connected
  const ready = new Promise((resolve) => (connected = resolve))
  const pump = async () => {
    const decoder = new TextDecoder()
    let buffer = ""
    for await (const chunk of res.body) {
      const at = nowMs()
      buffer += decoder.decode(chunk, { stream: true }).replaceAll("\r\n", "\n")
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (frame.startsWith(":")) {
          connected()
          continue
        }
        const data = frame
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n")
        let event
        try {
          event = JSON.parse(data)
        } catch {
          continue // not an event
        }
        for (const waiter of waiters) {
          if (waiter.match(event)) {
            waiters.delete(waiter)
            waiter.resolve({ event, at })
          }
        }
      }
    }
  }
  pump().catch(() => {}) // ends with close()
  let connectTimer
  try {
    await Promise.race([
      ready,
      new Promise((_, reject) => {
        connectTimer = setTimeout(() => reject(new Error(`GET ${url}: no ": connected" comment within 10 s`)), 10_000)
      })
    ])
  } catch (error) {
    controller.abort()
    throw error
  } finally {
    clearTimeout(connectTimer)
  }
  return {
    next: (match, timeoutMs) =>
      new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (value) => {
            clearTimeout(timer)
            resolve(value)
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`no matching event on ${url} within ${timeoutMs / 1000} s`))
        }, timeoutMs)
        waiters.add(waiter)
      }),
    close: () => controller.abort()
  }
}

/** wrk against a trivial node:http server on this machine: what Node itself manages here. */
const bareServerFloor = async () => {
  const port = await freePort()
  const code =
    "require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json');" +
    ` s.end('{"status":"ok"}') }).listen(${port}, '127.0.0.1', () => console.log('ready'))`
  const child = spawn(NODE, ["-e", code], { stdio: ["ignore", "pipe", "ignore"] })
  await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject))
  helpers.set(child.pid, procStart(child.pid))
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("bare node:http server did not start")), 10_000)
      child.stdout.on("data", (chunk) => {
        if (String(chunk).includes("ready")) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    return wrk(`http://127.0.0.1:${port}/healthz`, 5)
  } finally {
    child.kill("SIGKILL")
    helpers.delete(child.pid)
  }
}

// ---------------------------------------------------------------------------------------------
// probes

const PROBE_AGENTS = 300
const PROBE_SECONDS = 20
const PROBE_SETTLE_MS = 3000

/** A helper node:http server answering 200 on every path; the http and tcp probes of every agent go to it. */
const startProbeServer = async () => {
  const code =
    "const s = require('node:http').createServer((q, r) => r.end('ok'));" +
    " s.listen(0, '127.0.0.1', () => console.log(s.address().port))"
  const child = spawn(NODE, ["-e", code], { stdio: ["ignore", "pipe", "ignore"] })
  await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject))
  helpers.set(child.pid, procStart(child.pid))
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("probe server did not start")), 10_000)
    child.stdout.once("data", (chunk) => {
      clearTimeout(timer)
      resolve(Number(String(chunk).trim()))
    })
  })
  return {
    port,
    stop: () => {
      child.kill("SIGKILL")
      helpers.delete(child.pid)
    }
  }
}

/** CPU % of one core a process used over `seconds`, and its largest RSS sampled once a second. */
const sampleCpu = async (pid, seconds) => {
  const cpu0 = cpuSeconds(pid)
  const t0 = nowMs()
  let maxRssKb = rssKb(pid)
  while (nowMs() - t0 < seconds * 1000) {
    await sleep(1000)
    maxRssKb = Math.max(maxRssKb, rssKb(pid))
  }
  return { cpu: ((cpuSeconds(pid) - cpu0) / ((nowMs() - t0) / 1000)) * 100, maxRssKb, seconds: (nowMs() - t0) / 1000 }
}

/**
 * The floor of a probe: a Node with the launcher's flags doing only the probe's OS work, in n loops
 * of "run, then wait 1 s" as the launcher's probes are scheduled. exec: spawn `true` as
 * shell/src/probes/execProbe.ts does (detached, both pipes read, its group killed on exit); tcp:
 * connect to `port` and close. It prints its count of runs every 250 ms, so the rate is measured.
 */
const probeFloor = async (kind, n, seconds, port = 0) => {
  const dir = mkdtempSync(path.join(tmpdir(), "agentctl-bench-floor-"))
  const once =
    kind === "exec"
      ? [
          "const once = () => new Promise((resolve) => {",
          `  const c = spawn('true', [], { cwd: ${JSON.stringify(dir)}, env: { PATH: process.env.PATH }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })`,
          "  c.stdout.on('data', () => {}); c.stderr.on('data', () => {})",
          "  c.once('exit', () => { try { process.kill(-c.pid, 'SIGKILL') } catch {} })",
          "  c.once('close', resolve)",
          "})"
        ]
      : [
          "const once = () => new Promise((resolve) => {",
          `  const s = require('node:net').connect({ host: '127.0.0.1', port: ${port} })`,
          "  s.once('connect', () => { s.destroy(); resolve() }); s.once('error', resolve)",
          "})"
        ]
  const script = [
    "const { spawn } = require('node:child_process')",
    ...once,
    "let runs = 0",
    "setInterval(() => require('node:fs').writeSync(1, runs + '\\n'), 250)",
    "const loop = async () => { for (;;) { await once(); runs++; await new Promise((r) => setTimeout(r, 1000)) } }",
    `for (let i = 0; i < ${n}; i++) loop()`
  ].join("\n")
  const child = spawn(NODE, [...launcherNodeFlags, "-e", script], {
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, ...launcherTuning }
  })
  await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject))
  helpers.set(child.pid, procStart(child.pid))
  let runs = 0
  child.stdout.on("data", (chunk) => {
    const last = Number(String(chunk).trim().split("\n").pop())
    if (Number.isFinite(last)) runs = last
  })
  try {
    await sleep(PROBE_SETTLE_MS)
    const runs0 = runs
    const m = await sampleCpu(child.pid, seconds)
    return { ...m, rate: (runs - runs0) / m.seconds }
  } finally {
    child.kill("SIGKILL")
    helpers.delete(child.pid)
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A launcher with n sleeping agents, each with `health` (or none), once every agent is ready and
 * PROBE_SETTLE_MS more: its CPU over PROBE_SECONDS and its largest RSS. Then, from `ls --json`,
 * how fresh and how long the probes' last results are; the rate is estimated from their length
 * (each agent's probe runs, then waits its 1 s period).
 */
const probeFleet = async (label, health, n = PROBE_AGENTS) => {
  const fleet = newFleet(`probes-${label.replaceAll(" ", "-")}`)
  try {
    for (let i = 1; i <= n; i++) addAgent(fleet, `p${i}`, "sleep", ["3600"], "", { top: health })
    progress(`probes: launcher start with ${n} sleeping agents, ${label}`)
    agentctl(fleet, ["launcher", "start"])
    const polled = await waitRunning(fleet, n, 120_000)
    if (health !== "") {
      await until(
        `every agent ready (${label})`,
        () => {
          try {
            return listAgents(fleet).filter((r) => r.health === "ready").length === n
          } catch {
            return false // a busy launcher: the next poll will do
          }
        },
        120_000
      )
    }
    await sleep(PROBE_SETTLE_MS)
    const pid = launcherPid(fleet)
    progress(`probes: sampling the launcher for ${PROBE_SECONDS} s (${label})`)
    const { cpu, maxRssKb } = await sampleCpu(pid, PROBE_SECONDS)
    const now = Date.now()
    const last = listAgents(fleet).flatMap((r) => (r.probes ?? []).map((p) => p.last).filter((x) => x != null))
    agentctl(fleet, ["launcher", "stop"], { allowFail: true, timeoutMs: 120_000 })
    const meanMs = last.length ? last.reduce((sum, r) => sum + r.ms, 0) / last.length : 0
    return {
      n,
      cpu,
      maxRssKb,
      probes: last.length,
      failing: last.filter((r) => !r.ok).length,
      oldestS: last.length ? Math.max(...last.map((r) => now - r.at)) / 1000 : null,
      meanMs,
      rate: n / (1 + meanMs / 1000),
      note: pollNote(polled).replace(/^; /, "")
    }
  } finally {
    destroyFleet(fleet)
  }
}

const fmtPct = (x) => `${x.toFixed(1)}%`
/** CPU ms per run: % of a core over runs a second. */
const perRun = (cpuPct, rate) => `${((cpuPct * 10) / rate).toFixed(2)} ms of CPU a run`
const probeNote = (m, cost) =>
  [
    m.probes === m.n
      ? `≈ ${Math.round(m.rate)} probes/s (each ${m.meanMs.toFixed(1)} ms on average, the oldest last run ${m.oldestS.toFixed(1)} s ago): ${perRun(cost, m.rate)}`
      : `only ${m.probes} of ${m.n} probes reported a result`,
    m.failing ? `${m.failing} failing` : "",
    m.note
  ]
    .filter(Boolean)
    .join("; ")

/**
 * 8. Probes: a launcher with 300 sleeping agents, each with a liveness probe at a 1 s period
 * (exec `true`; tcp and http against one local server), against the same fleet without probes:
 * the launcher's CPU (utime + stime, all threads) and RSS; exec also at 50 agents, where the
 * spawns do not fill the event loop. And the floors: a Node with the launcher's flags doing only
 * the spawns, or only the connects, at the same schedule.
 */
const benchProbes = async () => {
  const none = await probeFleet("no probes", "")
  record({
    section: "probes",
    measurement: `launcher CPU / RSS, ${PROBE_AGENTS} sleeping agents, no probes (${PROBE_SECONDS} s)`,
    figure: `${fmtPct(none.cpu)} of a core / ${fmtMiB(none.maxRssKb)}`,
    note: none.note
  })
  const server = await startProbeServer()
  try {
    const kinds = [
      ["exec", "exec: [true]", PROBE_AGENTS],
      ["exec", "exec: [true]", 50],
      ["tcp", `tcp: "127.0.0.1:${server.port}"`, PROBE_AGENTS],
      ["http", `http: "http://127.0.0.1:${server.port}/healthz"`, PROBE_AGENTS]
    ]
    for (const [kind, check, n] of kinds) {
      await guarded(`probes: ${n} × ${kind}`, async () => {
        const m = await probeFleet(`${kind} probes`, `health:\n  liveness: { ${check}, period: 1s }\n`, n)
        const cost = m.cpu - none.cpu
        const target = n === PROBE_AGENTS
        record({
          section: "probes",
          measurement: `launcher CPU, ${n} agents × ${kind} liveness probe every 1 s`,
          figure: `${fmtPct(m.cpu)} of a core (probes: ${signed(cost)} points)`,
          floor: `no probes, ${PROBE_AGENTS} agents: ${fmtPct(none.cpu)}`,
          target: target ? "probes ≤ 5% of a core" : "—",
          ok: target ? cost <= 5 : null,
          note: probeNote(m, cost)
        })
        if (target) {
          record({
            section: "probes",
            measurement: `launcher RSS, the same (${kind})`,
            figure: `max ${fmtMiB(m.maxRssKb)}`,
            floor: `no probes: ${fmtMiB(none.maxRssKb)}`
          })
        }
      })
    }
    await guarded("probes: tcp floor", async () => {
      progress(`probes: floor: node with the launcher's flags, ${PROBE_AGENTS} loops of connect+close, 1 s apart`)
      const floor = await probeFloor("tcp", PROBE_AGENTS, PROBE_SECONDS, server.port)
      record({
        section: "probes",
        measurement: `floor: node (the launcher's flags) connecting and closing, ${PROBE_AGENTS} loops of 1 s`,
        figure: `${fmtPct(floor.cpu)} of a core`,
        note: `${Math.round(floor.rate)} connects/s: ${perRun(floor.cpu, floor.rate)}`
      })
    })
  } finally {
    server.stop()
  }
  await guarded("probes: spawn floor", async () => {
    progress(`probes: floor: node with the launcher's flags, ${PROBE_AGENTS} loops of spawning \`true\`, 1 s apart`)
    const floor = await probeFloor("exec", PROBE_AGENTS, PROBE_SECONDS)
    record({
      section: "probes",
      measurement: `floor: node (the launcher's flags) spawning \`true\` as exec probes do, ${PROBE_AGENTS} loops of 1 s`,
      figure: `${fmtPct(floor.cpu)} of a core`,
      note: `${Math.round(floor.rate)} spawns/s: ${perRun(floor.cpu, floor.rate)}`
    })
  })
}

// ---------------------------------------------------------------------------------------------
// main

const md = (cells) => `| ${cells.map((cell) => String(cell).replaceAll("|", "\\|")).join(" | ")} |`

/** `took`: [section, seconds] in the order run; the header and the last line say how long the run took. */
const printTables = (took) => {
  const total = took.reduce((sum, [, seconds]) => sum + seconds, 0)
  const tookText = `took ${Math.round(total)} s (${took.map(([name, seconds]) => `${name} ${Math.round(seconds)} s`).join(", ")})`
  const header = ["Measurement", "Figure", "Floor (same run)", "Target", "Result"]
  const rows = results.map((r) => [
    r.measurement,
    r.figure,
    r.floor,
    r.target,
    `${verdict(r)}${r.note ? `  ${r.note}` : ""}`
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (i < 4 ? row[i].length : 0))))
  const line = (cells) =>
    cells
      .map((cell, i) => (i < 4 ? cell.padEnd(widths[i]) : cell))
      .join("  ")
      .trimEnd()
  console.log(
    `\nagentctl bench — node ${spawnSync(NODE, ["--version"], { encoding: "utf8" }).stdout.trim()}, ` +
      `${cpus().length} CPUs, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; ${tookText}\n`
  )
  console.log(line(header))
  console.log(line(widths.map((w) => "-".repeat(w))))
  for (const row of rows) console.log(line(row))

  console.log("\n" + md(header))
  console.log(md(header.map(() => "---")))
  for (const r of results) {
    console.log(md([r.measurement, r.figure, r.floor, r.target, `${verdict(r)}${r.note ? ` (${r.note})` : ""}`]))
  }
  console.log(`\nbench ${tookText}`)
}

const main = async () => {
  const asked = process.argv.slice(2)
  const unknown = asked.filter((name) => !SECTIONS.includes(name))
  if (unknown.length) {
    console.error(`unknown section ${unknown.join(", ")}; sections: ${SECTIONS.join(" ")}`)
    process.exit(2)
  }
  if (!existsSync(cli)) {
    console.error(`${path.relative(process.cwd(), cli)} is missing: run \`pnpm bench\` (it builds first)`)
    process.exit(1)
  }
  const selected = asked.length ? SECTIONS.filter((name) => asked.includes(name)) : SECTIONS
  const run = {
    ls: benchLs,
    commands: benchCommands,
    start: benchStart,
    stop: benchStop,
    logs: benchLogs,
    launcher: benchLauncher,
    api: benchApi,
    probes: benchProbes
  }
  const took = []
  for (const name of selected) {
    progress(`== ${name} ==`)
    const t0 = Date.now()
    try {
      await run[name]()
    } catch (error) {
      record({
        section: name,
        measurement: `${name} section`,
        figure: "ERROR",
        verdict: "ERROR",
        note: error instanceof Error ? error.message : String(error)
      })
    }
    took.push([name, (Date.now() - t0) / 1000])
    progress(`${name} took ${Math.round((Date.now() - t0) / 1000)} s`)
  }
  progress(`done in ${Math.round(took.reduce((sum, [, seconds]) => sum + seconds, 0))} s`)
  printTables(took)
}

try {
  await main()
} finally {
  cleanupAll()
}
