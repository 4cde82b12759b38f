import { formatUptime } from "@agentctl/core/Duration"
import type { ExitRecord } from "@agentctl/core/ExitHistory"

/** The columns `history` prints and `status` shows its last exits in. */
export const exitHeader = ["TIME", "REASON", "EXIT", "UPTIME", "PID"] as const

/** How it ended: its code, else its signal; "-" for an end nobody saw (an adopted instance). */
const ending = (e: ExitRecord): string => (e.code !== null ? `code ${e.code}` : (e.signal ?? "-"))

/** Under 10 s, a tenth of a second tells a crash at start from one a moment later. */
const uptime = (seconds: number | null): string =>
  seconds === null ? "-" : seconds < 10 ? `${seconds.toFixed(1)}s` : formatUptime(seconds)

/** One exit as table cells: time (ISO, UTC), reason, code or signal, uptime, pid. */
export const exitCells = (e: ExitRecord): ReadonlyArray<string> => [
  new Date(e.at).toISOString(),
  e.reason,
  ending(e),
  uptime(e.uptime),
  e.pid === null ? "-" : String(e.pid)
]
