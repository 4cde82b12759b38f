import type { AgentSpec } from "@agentctl/core/AgentConfig"
import type { AgentRow } from "@agentctl/core/AgentRow"
import { Control } from "@agentctl/core/Control"
import { probesOf } from "@agentctl/core/HealthSpec"
import { formatDurationMs, formatUptime } from "@agentctl/core/Duration"
import { loadFleet } from "@agentctl/core/FleetLoader"
import { AgentLogs, everything } from "@agentctl/core/AgentLogs"
import { RunDir } from "@agentctl/core/RunDir"
import * as Console from "effect/Console"
import { driftLines } from "@agentctl/core/spawnDrift"
import * as Effect from "effect/Effect"
import { formatBytes } from "@agentctl/core/bytesText"
import { Command } from "effect/cli"
import { dirname } from "node:path"
import { exitCells, exitHeader } from "../exitLines.ts"
import { formatLine } from "../logLines.ts"
import { printJson, printWarning, renderTable } from "../Output.ts"
import { idArgument, inFleet, jsonOutput } from "../Root.ts"

const kb = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`

/** The health and each probe's last result; without a launcher, where to get them. */
const healthLines = (row: AgentRow, spec: AgentSpec | undefined, now: number): ReadonlyArray<string> => {
  const configured = spec === undefined ? [] : probesOf(spec.config.health)
  const notify = spec?.config.notify === true
  if (configured.length === 0 && !notify) return []
  const notifyLine = notify
    ? [`  notify:    yes: starting until it writes a newline to $AGENTCTL_NOTIFY_FD (fd 3)`]
    : []
  if (row.health === null) {
    const why = row.supervisor === "launcher" ? "not running" : "no launcher runs its probes"
    return [`  health:    - (${why}; agentctl check ${row.id} runs them now)`, ...notifyLine]
  }
  return [
    `  health:    ${row.health}`,
    ...notifyLine,
    ...row.probes.map((p) => {
      const last =
        p.last === null
          ? "not run yet"
          : `${p.last.error ?? p.last.output} (${formatUptime((now - p.last.at) / 1000)} ago, took ${p.last.ms}ms)`
      return `  ${`${p.kind}:`.padEnd(10)} ${p.state}, ${p.check}: ${last}`
    })
  ]
}

/** How many of the agent's last log lines `status` shows. */
const lastLines = 5
/** How many of its last exits `status` shows (`history` shows them all). */
const lastExits = 3

export const status = Command.make(
  "status",
  { id: idArgument },
  Effect.fn("cli.status")(function* ({ id }) {
    const json = yield* jsonOutput
    yield* inFleet(
      Effect.gen(function* () {
        const row = yield* (yield* Control).status(id)
        // Read from the file itself, which the launcher keeps too: the id is known good by now, so
        // no second load of the fleet nor a second request. Unreadable, it is said, and the rest shown.
        const history = yield* Effect.result((yield* RunDir).readHistory(id))
        if (json) {
          if (history._tag === "Failure") yield* printWarning(`no exit history: ${history.failure.message}`)
          return yield* printJson({ ...row, history: history._tag === "Success" ? history.success.exits : null })
        }
        const fleet = yield* loadFleet()
        const spec = fleet.agents.get(id)
        const agentLogs = yield* AgentLogs
        const files = yield* agentLogs.files(id)
        const size = files.reduce((sum, f) => sum + f.bytes, 0)
        const last = yield* agentLogs.read(id, { ...everything, tail: lastLines })
        const lines = [
          `${id}${row.name === "" ? "" : ` — ${row.name}`}${spec?.config.agent.version ? ` ${spec.config.agent.version}` : ""}`,
          `  status:    ${row.status} (${row.reason})`,
          `  enabled:   ${row.enabled ? "yes" : "no"}`,
          `  pid:       ${row.pid ?? "-"}${row.instances > 0 ? ` (${row.instances} instance${row.instances === 1 ? "" : "s"})` : ""}`,
          `  uptime:    ${row.uptime === null ? "-" : formatUptime(row.uptime)}`,
          `  restarts:  ${row.restarts}`,
          ...healthLines(row, spec, Date.now()),
          `  config:    ${row.file}`,
          ...(row.drift === null
            ? []
            : [
                `  drift:     a restart would apply (agentctl apply ${id}):`,
                ...driftLines(row.drift).map((l) => `    ${l}`)
              ])
        ]
        if (spec !== undefined) {
          const run = spec.config.run
          lines.push(
            `  command:   ${[run.command, ...run.args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`,
            `  cwd:       ${run.cwd}`,
            `  stop:      ${run.stop_signal}, SIGKILL after ${formatDurationMs(run.stop_timeout)}`,
            `  restart:   ${run.restart}`
          )
          if (spec.config.agent.description !== "") lines.push(`  about:     ${spec.config.agent.description}`)
        }
        const records = files.filter((f) => f.kind !== "raw")
        const where =
          records.length === 0
            ? (files[0]?.path ?? "-")
            : `${dirname(records[0]!.path)}/ (${files.length} file${files.length === 1 ? "" : "s"}, ${kb(size)})`
        lines.push(`  log:       ${records.length === 0 ? `${where} (${kb(size)})` : where}`)
        const usage = row.logs
        if (usage !== null && usage.writtenBytes !== null) {
          lines.push(
            `  log use:   ${formatBytes(usage.writtenBytes)} written since the launcher started, ${formatBytes(usage.droppedBytes ?? 0)} dropped (disk full), ${formatBytes(usage.evictedBytes ?? 0)} evicted by the budget, ${usage.cutLines ?? 0} lines cut`
          )
        }
        if (usage?.warning != null) lines.push(`  warning:   ${usage.warning}`)
        if (history._tag === "Failure") lines.push(`  exits:     cannot be read: ${history.failure.message}`)
        else if (history.success.exits.length > 0) {
          const { exits } = history.success
          lines.push(
            `  exits:     the last ${Math.min(lastExits, exits.length)} of ${exits.length} (agentctl history ${id})`
          )
          const table = renderTable(exitHeader, exits.slice(0, lastExits).map(exitCells))
          for (const line of table.split("\n")) lines.push(`    ${line}`)
        }
        if (last.length > 0) {
          lines.push(`  last lines:`)
          for (const record of last)
            lines.push(`    ${formatLine({ id, record }, { prefixId: false, timestamps: false })}`)
        }
        yield* Console.log(lines.join("\n"))
      })
    )
  })
).pipe(Command.withDescription("One agent in full, with the reason for its status"))
