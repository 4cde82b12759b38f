import { type Marker, MarkerAgentVar, MarkerFleetVar } from "./ProcessTable.ts"

/**
 * Parsers for Linux /proc text. The shell's prober reads the files; parsing lives here so it is tested
 * on fixed text, including the odd cases (a comm with parentheses, a zombie without VmRSS) that a live
 * system rarely shows on demand.
 */

export interface ProcStat {
  readonly pid: number
  readonly comm: string
  readonly state: string
  readonly ppid: number
  readonly pgid: number
  readonly sid: number
  /** Clock ticks. */
  readonly utime: number
  readonly stime: number
  /** Clock ticks since boot. */
  readonly startTime: number
  readonly rssPages: number
}

/** Digits only (an optional leading "-"): a char loop, because the prober runs this ~10 times per process. */
const integer = (text: string | undefined): number | null => {
  if (text === undefined || text.length === 0) return null
  for (let i = text.charCodeAt(0) === 45 && text.length > 1 ? 1 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return null
  }
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : null
}

/** `/proc/<pid>/stat`; null when the text is not one. */
export const parseStat = (text: string): ProcStat | null => {
  // comm is whatever the program named itself (up to 15 bytes), spaces and parentheses included:
  // only the first "(" and the last ")" delimit it.
  const open = text.indexOf("(")
  const close = text.lastIndexOf(")")
  if (open === -1 || close < open) return null
  const pid = integer(text.slice(0, open).trim())
  // fields[0] is proc(5) field 3 (state)
  const rest = text.slice(close + 1).trim()
  // The kernel separates fields with single spaces; anything else is not /proc text (checked below).
  // Only up to field 24 (rss) is read: splitting the other ~28 would allocate for nothing, per process.
  const fields = rest.includes("  ") || rest.includes("\t") ? rest.split(/\s+/, 22) : rest.split(" ", 22)
  const field = (n: number) => integer(fields[n - 3])
  const state = fields[0]
  const ppid = field(4)
  const pgid = field(5)
  const sid = field(6)
  const utime = field(14)
  const stime = field(15)
  const startTime = field(22)
  const rssPages = field(24)
  if (
    pid === null ||
    state === undefined ||
    !/^[A-Za-z]$/.test(state) ||
    ppid === null ||
    pgid === null ||
    sid === null ||
    utime === null ||
    stime === null ||
    startTime === null ||
    rssPages === null
  ) {
    return null
  }
  return { pid, comm: text.slice(open + 1, close), state, ppid, pgid, sid, utime, stime, startTime, rssPages }
}

/** VmRSS from `/proc/<pid>/status`, in kB; null for kernel threads and zombies, which have no memory of their own. */
export const parseStatusRssKb = (text: string): number | null => {
  const m = /^VmRSS:\s*(\d+)\s*kB\s*$/m.exec(text)
  return m === null ? null : integer(m[1])
}

/**
 * The agentctl marker from `/proc/<pid>/environ`; null unless both variables are set and non-empty.
 * The first occurrence wins, as with getenv(3), when a program passed a duplicate to execve.
 */
export const parseEnvironMarker = (text: string): Marker | null => {
  let fleet: string | undefined
  let agent: string | undefined
  for (const entry of text.split("\0")) {
    const eq = entry.indexOf("=")
    if (eq === -1) continue
    const key = entry.slice(0, eq)
    if (key === MarkerFleetVar) fleet ??= entry.slice(eq + 1)
    else if (key === MarkerAgentVar) agent ??= entry.slice(eq + 1)
  }
  return fleet === undefined || agent === undefined || fleet === "" || agent === "" ? null : { fleet, agent }
}

/**
 * `/proc/<pid>/cmdline`: each argument ends in a NUL, so empty arguments survive. Empty for zombies and
 * kernel threads. A program that rewrote its argv (setproctitle) may leave one string without a NUL.
 */
export const parseCmdline = (text: string): Array<string> => {
  if (text === "") return []
  const args = text.split("\0")
  if (text.endsWith("\0")) args.pop()
  return args
}

/** Boot time, unix seconds, from the `btime` line of `/proc/stat`. */
export const parseBtime = (procStatText: string): number | null => {
  const m = /^btime\s+(\d+)\s*$/m.exec(procStatText)
  return m === null ? null : integer(m[1])
}

const AT_NULL = 0n
const AT_CLKTCK = 17n

/**
 * AT_CLKTCK (USER_HZ) from `/proc/self/auxv`: the kernel's own answer to sysconf(_SC_CLK_TCK), which node
 * does not expose. Reads the 64-bit little-endian layout (x86_64, aarch64); null when absent or zero, so
 * the caller falls back rather than divide by it.
 */
export const parseAuxvClockTicks = (bytes: Uint8Array): number | null => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let offset = 0; offset + 16 <= bytes.byteLength; offset += 16) {
    const type = view.getBigUint64(offset, true)
    if (type === AT_NULL) break
    if (type === AT_CLKTCK) {
      const value = view.getBigUint64(offset + 8, true)
      return value > 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null
    }
  }
  return null
}
