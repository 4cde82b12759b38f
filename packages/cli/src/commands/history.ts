import { Control } from "@agentctl/core/Control"
import { maxExits } from "@agentctl/core/ExitHistory"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Command, Flag } from "effect/cli"
import { exitCells, exitHeader } from "../exitLines.ts"
import { printJson, renderTable } from "../Output.ts"
import { idArgument, inFleet, jsonOutput } from "../Root.ts"

/** `-n/--last N`: the newest N exits. */
const lastFlag = Flag.String("last").pipe(
  Flag.withAlias("n"),
  Flag.withMetavar("N"),
  Flag.filterMap(
    (raw) => (/^\d{1,9}$/.test(raw) ? Option.some(Number(raw)) : Option.none()),
    () => "expected a whole number of exits, 0 or more"
  ),
  Flag.optional,
  Flag.withDescription(`only the newest N exits (default: every one kept, the last ${maxExits})`)
)

export const history = Command.make(
  "history",
  { id: idArgument, last: lastFlag },
  Effect.fn("cli.history")(function* ({ id, last }) {
    const json = yield* jsonOutput
    const { exits } = yield* inFleet(Effect.flatMap(Control, (c) => c.history(id)))
    const shown = Option.match(last, { onNone: () => exits, onSome: (n) => exits.slice(0, n) })
    if (json) return yield* printJson(shown)
    if (exits.length === 0) return yield* Console.log(`${id}: no exits recorded`)
    yield* Console.log(renderTable(exitHeader, shown.map(exitCells)))
  })
).pipe(
  Command.withDescription(
    `An agent's last exits, newest first: time, reason (crashed, exited, unhealthy, memory, stopped, killed, oom), code or signal, uptime; the last ${maxExits} are kept in run/history/<id>.json`
  )
)
