/**
 * `logs --du` (the fleet's log usage against its budget) and `logs --rotate` (bring every log
 * under the budget without a launcher: the daemonless answer to "nothing rotates my logs").
 */
import { AgentLogs } from "@agentctl/core/AgentLogs"
import { formatBytes } from "@agentctl/core/bytesText"
import { Control } from "@agentctl/core/Control"
import { FileError } from "@agentctl/core/Errors"
import { Fleet } from "@agentctl/core/Fleet"
import type { LoadedFleet } from "@agentctl/core/FleetLoader"
import { FleetLock } from "@agentctl/core/FleetLock"
import type { LogNotice } from "@agentctl/core/LogNotice"
import { fleetLogBudget } from "@agentctl/core/LogSettings"
import { keepFreeBytes } from "@agentctl/core/logBudget"
import * as Console from "effect/Console"
import { diskSpace } from "@agentctl/shell/logs/diskFacts"
import * as Effect from "effect/Effect"
import { join } from "node:path"
import { openFleetLogs } from "../launcher/agentOutput.ts"
import { renderTable } from "../fast/table.ts"
import { printJson } from "../Output.ts"

const freeSpace = (dir: string) =>
  Effect.try({ try: () => diskSpace(dir), catch: (e) => FileError.fromCause(dir, "read the free space of", e) })

const counted = (n: number | null | undefined) => (n === null || n === undefined ? "-" : formatBytes(n))

/** Per agent: its files (exact, from the directory) and what the launcher counted, if one runs. */
export const logDu = Effect.fn("cli.logs.du")(function* (
  fleet: LoadedFleet,
  ids: ReadonlyArray<string>,
  json: boolean
) {
  const agentLogs = yield* AgentLogs
  const control = yield* Control
  const rows = new Map((yield* control.list).map((r) => [r.id, r]))
  const agents = yield* Effect.forEach(
    ids,
    (id) =>
      Effect.map(agentLogs.files(id), (files) => ({
        id,
        files: files.length,
        bytes: files.reduce((sum, f) => sum + f.bytes, 0),
        usage: rows.get(id)?.logs ?? null
      })),
    { concurrency: 8 }
  )
  const budget = fleetLogBudget(fleet.settings.logs)
  const disk = yield* freeSpace(join(fleet.root, "run"))
  const total = agents.reduce((sum, a) => sum + a.bytes, 0)
  const keepFree = keepFreeBytes(budget.keepFree, disk)
  if (json) {
    return yield* printJson({
      agents: agents.map(({ usage, ...a }) => ({ ...a, ...(usage === null ? {} : { usage }) })),
      totalBytes: total,
      maxTotalBytes: budget.maxTotal,
      disk: { ...disk, keepFreeBytes: keepFree }
    })
  }
  const table = renderTable(
    ["ID", "FILES", "ON DISK", "WRITTEN", "DROPPED", "EVICTED", "CUT LINES"],
    agents.map((a) => [
      a.id,
      String(a.files),
      formatBytes(a.bytes),
      counted(a.usage?.writtenBytes),
      counted(a.usage?.droppedBytes),
      counted(a.usage?.evictedBytes),
      a.usage?.cutLines === null || a.usage === null ? "-" : String(a.usage.cutLines)
    ])
  )
  const warnings = agents.flatMap((a) => (a.usage?.warning == null ? [] : [`  ${a.id}: warning: ${a.usage.warning}`]))
  yield* Console.log(
    [
      table,
      ...warnings,
      "",
      `total: ${formatBytes(total)} of max_total ${formatBytes(budget.maxTotal)} (${Math.round((100 * total) / Math.max(1, budget.maxTotal))}%)`,
      `disk:  ${formatBytes(disk.freeBytes)} free of ${formatBytes(disk.totalBytes)}; logs never push it below keep_free ${formatBytes(keepFree)}`,
      ...(control.supervisor === "launcher"
        ? []
        : ["(no launcher running: WRITTEN, DROPPED, EVICTED and CUT are counted by a running launcher)"])
    ].join("\n")
  )
})

/**
 * Without a launcher: take every raw run/<id>.log into the records, rotate every current file,
 * and apply the budget, as the fleet's one mutator. A running launcher does this all the time.
 */
export const logRotate = Effect.fn("cli.logs.rotate")(function* (fleet: LoadedFleet) {
  const control = yield* Control
  if (control.supervisor === "launcher")
    return yield* Console.log(
      "the launcher rotates the logs as they grow and keeps them within the budget: nothing to do"
    )
  const { root } = yield* Fleet
  const notices: Array<LogNotice> = []
  const runDir = join(root, "run")
  const logs = yield* (yield* FleetLock).exclusive(
    Effect.scoped(
      Effect.tap(
        openFleetLogs(fleet, runDir, (n) => void notices.push(n)),
        (opened) => Effect.sync(() => opened.rotateAll())
      )
    )
  )
  // Read once closed: the rotated files are compressed by then.
  const total = logs.totalBytes
  const lines = notices.flatMap((n) => {
    if (n.event === "log-taken-over") return [`${n.id}: took ${formatBytes(n.bytes)} of ${n.from} into its records`]
    if (n.event === "log-evicted") return [`${n.id}: deleted ${n.file} (${formatBytes(n.bytes)}) for ${n.reason}`]
    if (n.event === "log-failed" || n.event === "log-write-failed") return [`${n.id}: ${n.path}: ${n.message}`]
    return []
  })
  const budget = fleetLogBudget(fleet.settings.logs)
  yield* Console.log(
    [...lines, `logs rotated: ${formatBytes(total)} on disk, max_total ${formatBytes(budget.maxTotal)}`].join("\n")
  )
})
