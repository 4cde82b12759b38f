/**
 * The launcher's side of the agents' logs: FleetLogs (shell) opened once the launcher holds the
 * fleet, closed after the agents were stopped, and a Spawner whose agents write to its FIFOs.
 */
import { FileError } from "@agentctl/core/Errors"
import type { LoadedFleet } from "@agentctl/core/FleetLoader"
import type { LogNotice } from "@agentctl/core/LogNotice"
import { fleetLogBudget, resolveLogSettings } from "@agentctl/core/LogSettings"
import { FleetLogs } from "@agentctl/shell/logs/FleetLogs"
import { compressSegment } from "@agentctl/shell/internal/gzSegment"
import * as NodeSpawner from "@agentctl/shell/NodeSpawner"
import { RunDir } from "@agentctl/core/RunDir"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { closeSync } from "node:fs"
import { join } from "node:path"
import { ReadyNotices } from "@agentctl/shell/ReadyNotices"

/** How long a stopping launcher waits for the pipes of agents it stopped to drain. */
const drainGraceMs = 2000

/**
 * Each agent's log settings, resolved now. A function over the fleet itself would keep that
 * LoadedFleet (every agent's config) alive in FleetLogs until the next reload, beside the
 * supervisor's own, newer, copy.
 */
const settingsOf = (fleet: LoadedFleet) => {
  const fleetLogs = fleet.settings.logs
  const resolved = new Map(
    Array.from(fleet.agents, ([id, spec]) => [id, resolveLogSettings(fleetLogs, spec.config.run.logs ?? {})])
  )
  return (id: string) => resolved.get(id) ?? resolveLogSettings(fleetLogs, {})
}

export const openFleetLogs = (fleet: LoadedFleet, runDir: string, notify: (notice: LogNotice) => void) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        const logs = FleetLogs.open({
          runDir,
          budget: fleetLogBudget(fleet.settings.logs),
          settingsFor: settingsOf(fleet),
          compress: compressSegment,
          notify
        })
        // What agents started without a launcher wrote (and an earlier version's logs) comes
        // under the budget now.
        for (const id of fleet.agents.keys()) logs.absorbRaw(id)
        logs.prepare(fleet.agents.keys())
        return logs
      },
      catch: (error) => FileError.fromCause(join(runDir, "logs"), "take over the agents' logs in", error)
    }),
    (logs) => Effect.promise(() => logs.close(drainGraceMs))
  )

/** After a reload: what the files say now about logs applies to running agents too (no restart). */
export const reconfigureFleetLogs = (logs: FleetLogs, fleet: LoadedFleet) =>
  Effect.try({
    try: () => {
      logs.reconfigure(fleetLogBudget(fleet.settings.logs), settingsOf(fleet))
      logs.prepare(fleet.agents.keys())
    },
    catch: (error) => FileError.fromCause(join(fleet.root, "run", "logs"), "prepare the agents' logs in", error)
  })

/** The run dir as the launcher sees it: log usage from FleetLogs' counts, not from the files. */
export const launcherRunDir = (logs: FleetLogs) =>
  Layer.effect(
    RunDir,
    Effect.gen(function* () {
      const files = yield* RunDir
      return RunDir.of({ ...files, logUsage: (agents) => Effect.sync(() => logs.usage(agents.map((a) => a.id))) })
    })
  )

/** Spawns whose stdout and stderr are the agent's FIFOs, drained by `logs`; fd 3 read by `notices`. */
export const capturingSpawner = (logs: FleetLogs, notices: ReadyNotices) =>
  NodeSpawner.layerWithOutput((req) => {
    const output = logs.outputFor(req.id, req.logs)
    try {
      return { ...output, notify: req.notify ? notices.descriptorFor(req.id) : null }
    } catch (error) {
      closeSync(output.stdout)
      closeSync(output.stderr)
      throw error
    }
  })

/** The readiness-notification FIFOs, read from now until the launcher's scope closes. */
export const openReadyNotices = (runDir: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => ReadyNotices.open(runDir),
      catch: (error) => FileError.fromCause(join(runDir, "notify"), "take over the readiness notifications in", error)
    }),
    (notices) => Effect.sync(() => notices.close())
  )
