import { Control } from "@agentctl/core/Control"
import { formatUptime } from "@agentctl/core/Duration"
import { statsFor } from "@agentctl/core/Stats"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { printJson, renderTable } from "../Output.ts"
import { idsArgument, inFleet, jsonOutput } from "../Root.ts"

const mib = (n: number | null) => (n === null ? "-" : `${(n / 1048576).toFixed(1)} MiB`)

export const stats = Command.make(
  "stats",
  { ids: idsArgument },
  Effect.fn("cli.stats")(function* ({ ids }) {
    const json = yield* jsonOutput
    const out = yield* inFleet(
      Effect.gen(function* () {
        const control = yield* Control
        const rows =
          ids.length === 0
            ? (yield* control.list).filter((r) => r.status !== "invalid")
            : yield* Effect.forEach(ids, control.status)
        return yield* statsFor(rows)
      })
    )
    if (json) return yield* printJson(out)
    yield* Console.log(
      renderTable(
        ["ID", "STATUS", "PID", "PROCS", "UPTIME", "RSS", "CPU%", "LOG", "RESTARTS"],
        out.map((s) => [
          s.id,
          s.status,
          s.pid === null ? "-" : String(s.pid),
          String(s.processes),
          s.uptime === null ? "-" : formatUptime(s.uptime),
          mib(s.rssBytes),
          s.cpuPercent === null ? "-" : s.cpuPercent.toFixed(1),
          mib(s.logBytes),
          String(s.restarts)
        ])
      )
    )
  })
).pipe(Command.withDescription("Uptime, RSS, CPU% (two samples, 0.5 s apart) and log size, read from /proc"))
