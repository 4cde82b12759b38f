import type { AgentRow, Supervisor } from "@agentctl/core/AgentRow"
import { formatUptime } from "@agentctl/core/Duration"
import { driftSummary } from "@agentctl/core/spawnDrift"
import { renderTable } from "./table.ts"

/*
 * What `ls` prints, on both of its paths (the Effect-free fast one and the full CLI): one
 * function, so the two cannot print differently (test/lsPaths.int.test.ts compares them).
 */

/** Who answered and what: the rows, the supervisor, the launcher's pid when one answered. */
export interface Listing {
  readonly rows: ReadonlyArray<AgentRow>
  readonly supervisor: Supervisor
  readonly launcherPid: number | null
}

export const renderRows = ({ rows, supervisor, launcherPid }: Listing): string => {
  const headers = ["ID", "NAME", "ENABLED", "STATUS", "HEALTH", "PID", "INST", "UPTIME", "RESTARTS"]
  const valid = rows.filter((r) => r.status !== "invalid")
  const invalid = rows.filter((r) => r.status === "invalid")
  const cells = valid.map((r) => [
    r.id ?? "?",
    r.name,
    r.enabled ? "yes" : "no",
    r.status,
    r.health ?? "-",
    r.pid === null ? "-" : String(r.pid),
    String(r.instances),
    r.uptime === null ? "-" : formatUptime(r.uptime),
    String(r.restarts)
  ])
  const lines = [renderTable(headers, cells)]
  for (const r of valid) {
    if (r.status !== "running" && r.status !== "stopped" && r.status !== "disabled")
      lines.push(`  ${r.id}: ${r.reason}`)
    else if (r.instances > 1 || r.error !== null) lines.push(`  ${r.id}: ${r.error ?? r.reason}`)
  }
  for (const r of valid) if (r.logs?.warning != null) lines.push(`  ${r.id}: warning: ${r.logs.warning}`)
  // Drift: what runs is not what the files say (agentctl diff shows it all, agentctl apply acts on it).
  for (const r of valid)
    if (r.drift !== null) lines.push(`  ${r.id}: drifted: ${driftSummary(r.drift)} (agentctl diff ${r.id})`)
  // Why it is not ready: each probe that fails or cannot run, with what it said.
  for (const r of valid) {
    for (const p of r.probes) {
      if (p.state !== "failing" && p.state !== "error") continue
      const said = p.last === null ? "" : `: ${p.last.error ?? p.last.output}`
      lines.push(
        `  ${r.id}: ${p.kind} probe ${p.state === "error" ? "cannot run" : `failing (${p.failures} in a row)`}${said}`
      )
    }
  }
  if (invalid.length > 0) {
    lines.push("", `${invalid.length} invalid config${invalid.length === 1 ? "" : "s"} (not started, not supervised):`)
    for (const r of invalid) lines.push(`  ${r.error ?? r.reason}`)
  }
  lines.push(
    "",
    supervisor === "launcher"
      ? `supervised by the launcher${launcherPid === null ? "" : ` (pid ${launcherPid})`}`
      : "no launcher running: agents run daemonless (agentctl launcher start supervises them)"
  )
  return lines.join("\n")
}

/** The whole output of `ls` (`--json`: the rows as JSON), without the final newline. */
export const renderListing = (listing: Listing, json: boolean): string =>
  json ? JSON.stringify(listing.rows, null, 2) : renderRows(listing)
