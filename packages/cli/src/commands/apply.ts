import { Control } from "@agentctl/core/Control"
import type { ApplyOutcome } from "@agentctl/core/Outcomes"
import { defaultParallel } from "@agentctl/core/applyPlan"
import { diffOfRow } from "@agentctl/core/spawnDrift"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Command, Flag } from "effect/cli"
import { ExitCode } from "../exitCodes.ts"
import { printJson } from "../Output.ts"
import { idsArgument, inFleet, jsonOutput } from "../Root.ts"

const dryRunFlag = Flag.Boolean("dry-run").pipe(
  Flag.withDefault(false),
  Flag.withDescription("print what apply would do, and do nothing")
)

const parallelFlag = Flag.String("parallel").pipe(
  Flag.withMetavar("N"),
  Flag.filterMap(
    (raw) =>
      /^\d{1,3}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 256 ? Option.some(Number(raw)) : Option.none(),
    () => "expected a whole number of agents from 1 to 256"
  ),
  Flag.withDefault(defaultParallel),
  Flag.withDescription(`restart at most N agents at once (default ${defaultParallel})`)
)

const verbs = { start: "start", stop: "stop", restart: "restart" } as const

/** One line per agent: what was (or would be) done, and why. */
export const applyText = (o: ApplyOutcome): string => {
  if (o.action === "none") return `${o.id}: unchanged (${o.reason})`
  const verb = verbs[o.action]
  if (o.result === "planned") return `${o.id}: would ${verb} (${o.reason})`
  if (o.result === "failed") return `${o.id}: failed to ${verb}: ${o.error} (${o.reason})`
  const past = o.action === "stop" ? "stopped" : `${verb}ed`
  return `${o.id}: ${past}${o.pid === null ? "" : ` (pid ${o.pid})`} (${o.reason})`
}

export const apply = Command.make(
  "apply",
  { ids: idsArgument, dryRun: dryRunFlag, parallel: parallelFlag },
  Effect.fn("cli.apply")(function* ({ ids, dryRun, parallel }) {
    const out = yield* inFleet(
      Control.use((c) => c.apply({ ...(ids.length > 0 ? { ids } : {}), dry_run: dryRun, parallel }))
    )
    if (yield* jsonOutput) yield* printJson(out)
    else yield* Console.log(out.length === 0 ? "no agents" : out.map(applyText).join("\n"))
    if (out.some((o) => o.result === "failed")) yield* Effect.sync(() => void (process.exitCode = ExitCode.failed))
  })
).pipe(
  Command.withDescription(
    "Bring what runs to what the files say: start new and newly enabled agents, stop removed and disabled ones, restart drifted ones, leave the rest alone"
  )
)

export const diff = Command.make(
  "diff",
  { ids: idsArgument },
  Effect.fn("cli.diff")(function* ({ ids }) {
    const rows = yield* inFleet(
      ids.length === 0 ? Control.use((c) => c.list) : Control.use((c) => Effect.forEach(ids, (id) => c.status(id)))
    )
    const diffs = rows.filter((r) => r.id !== null && r.status !== "invalid").map(diffOfRow)
    if (yield* jsonOutput) return yield* printJson(ids.length === 0 ? diffs.filter((d) => d.drift !== null) : diffs)
    const lines = diffs.flatMap((d) =>
      d.drift === null
        ? ids.length === 0
          ? []
          : [`${d.id}: ${d.running ? "up to date" : "not running (nothing to differ from)"}`]
        : [`${d.id}: a restart would apply:`, ...d.lines.map((l) => `  ${l}`)]
    )
    yield* Console.log(lines.length === 0 ? "no drift: every running agent runs what its files say" : lines.join("\n"))
  })
).pipe(
  Command.withDescription(
    "What a restart would change for each running agent (env, args, cwd, stop and restart settings, probes); secrets only as changed"
  )
)
