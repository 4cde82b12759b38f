import * as AgentData from "@agentctl/core/AgentData"
import { Control } from "@agentctl/core/Control"
import * as SqliteAgentData from "@agentctl/shell/SqliteAgentData"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { printJson } from "../Output.ts"
import { fleetRoot, idArgument, inFleet, jsonOutput } from "../Root.ts"

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** AgentData for the fleet's data/ folder, beside the fleet's Control (launcher or daemonless). */
export const inFleetData = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(fleetRoot, (root) => inFleet(Effect.provide(effect, SqliteAgentData.layer(root))))

/** The API's response shape for a stop-work-start (`status`, the work's counts, `restarted`). */
export const pausedJson = <A extends object>(paused: {
  readonly result: A
  readonly restarted: boolean
  readonly restartError: string | null
}) => printJson({ status: "ok", ...paused.result, restarted: paused.restarted, restart_error: paused.restartError })

/** How a stop-work-start ended, as one sentence after the work's own. */
export const restartText = (paused: { readonly restarted: boolean; readonly restartError: string | null }) =>
  paused.restartError !== null
    ? `; it was running but failed to start again: ${paused.restartError}`
    : paused.restarted
      ? "; it was stopped for this and started again"
      : ""

export const memoryClear = Command.make(
  "clear",
  { id: idArgument },
  Effect.fn("cli.memory.clear")(function* ({ id }) {
    const paused = yield* inFleetData(AgentData.clearMemory(id))
    const { messages_deleted, facts_deleted, database_existed } = paused.result
    if (yield* jsonOutput) return yield* pausedJson(paused)
    yield* Console.log(
      (database_existed
        ? `cleared ${id}'s memory: ${plural(messages_deleted, "message")} and ${plural(facts_deleted, "fact")} deleted`
        : `${id} has no memory.db (data/${id}/memory.db); nothing to clear`) + restartText(paused)
    )
  })
).pipe(
  Command.withDescription(
    "Delete every row of messages and facts in data/<id>/memory.db, in one transaction (a running agent is stopped first and started again)"
  )
)

export const memoryCount = Command.make(
  "count",
  { id: idArgument },
  Effect.fn("cli.memory.count")(function* ({ id }) {
    const count = yield* inFleetData(
      Effect.gen(function* () {
        yield* Control.use((c) => c.status(id))
        const now = yield* Clock.currentTimeMillis
        return yield* AgentData.AgentData.use((data) => data.messages24h(id, now))
      })
    )
    if (yield* jsonOutput) return yield* printJson({ id, messages_24h: count })
    yield* Console.log(
      count === null
        ? `${id} has no memory.db (data/${id}/memory.db)`
        : `${id}: ${plural(count, "message")} in the last 24 h`
    )
  })
).pipe(Command.withDescription("Messages in data/<id>/memory.db newer than 24 h"))

export const memory = Command.make("memory").pipe(
  Command.withSubcommands([memoryClear, memoryCount]),
  Command.withDescription("An agent's memory.db: count recent messages, or clear it")
)
