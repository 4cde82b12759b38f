import { formatUptime } from "./Duration.ts"
import type { ExitInfo, Status, StatusName } from "./Status.ts"

/*
 * Status as words. Kept apart from Status.ts (which builds schemas) so the CLI's fast `ls`
 * path can render rows without loading the Schema module.
 */

export const statusName = (s: Status): StatusName => {
  switch (s._tag) {
    case "Running":
      return "running"
    case "Starting":
      return "starting"
    case "Stopping":
      return "stopping"
    case "Stopped":
      return "stopped"
    case "Disabled":
      return "disabled"
    case "Exited":
      return "exited"
    case "Backoff":
      return "backoff"
    case "GaveUp":
      return "gave-up"
    case "Unknown":
      return "unknown"
    case "Invalid":
      return "invalid"
  }
}

export const describeExit = (e: ExitInfo): string =>
  e.signal !== null ? `killed by ${e.signal}` : e.code !== null ? `exit code ${e.code}` : "exit status unknown"

/** One readable sentence: why the agent is in this state. */
export const statusReason = (s: Status, now: number): string => {
  switch (s._tag) {
    case "Running":
      return s.instances > 1
        ? `running as pid ${s.pid}, but ${s.instances} instances are alive (stop or kill removes all of them)`
        : `running as pid ${s.pid}`
    case "Starting":
      return s.pid === null ? "starting" : `starting as pid ${s.pid}`
    case "Stopping":
      return s.pid === null ? "stopping" : `stopping pid ${s.pid}`
    case "Stopped":
      return "not running"
    case "Disabled":
      return "disabled in its config (enable it to start it with --all or the launcher)"
    case "Exited":
      return s.recycled
        ? `pid ${s.pid} from the pid record now belongs to another process: the agent is gone`
        : s.pid === null
          ? `exited (${describeExit(s.exit)})`
          : `pid ${s.pid} exited (${describeExit(s.exit)})`
    case "Backoff":
      return `crashed (${describeExit(s.exit)}); restart attempt ${s.attempt} in ${Math.max(
        0,
        Math.ceil((s.nextAttemptAt - now) / 1000)
      )}s`
    case "GaveUp":
      return `gave up after ${s.failures} failures within ${Math.round(s.windowMs / 1000)}s (last: ${describeExit(
        s.exit
      )}); ${
        s.retryAt === null
          ? "start it to try again"
          : `trying again in ${formatUptime(Math.max(0, Math.ceil((s.retryAt - now) / 1000)))} (or start it now)`
      }`
    case "Unknown":
      return s.pid === null ? `state unknown: ${s.error}` : `cannot tell whether pid ${s.pid} runs: ${s.error}`
    case "Invalid":
      return s.error
  }
}
