import * as AgentData from "@agentctl/core/AgentData"
import * as SqliteAgentData from "@agentctl/shell/SqliteAgentData"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Argument, Command } from "effect/cli"
import { printJson } from "../Output.ts"
import { fleetRoot, inFleet, jsonOutput } from "../Root.ts"
import { restartText } from "./memory.ts"

export const cacheDelete = Command.make(
  "delete",
  { id: Argument.String("id").pipe(Argument.withDescription("agent id")) },
  Effect.fn("cli.cache.delete")(function* ({ id }) {
    const root = yield* fleetRoot
    const paused = yield* inFleet(Effect.provide(AgentData.deleteCache(id), SqliteAgentData.layer(root)))
    const { paths_deleted, paths_missing } = paused.result
    if (yield* jsonOutput) {
      return yield* printJson({
        status: "ok",
        ...paused.result,
        restarted: paused.restarted,
        restart_error: paused.restartError
      })
    }
    const deleted = paths_deleted.length === 0 ? "nothing to delete" : `deleted ${paths_deleted.join(" and ")}`
    const missing = paths_missing.length === 0 ? "" : ` (${paths_missing.join(" and ")} did not exist)`
    yield* Console.log(`${id}: ${deleted}${missing}${restartText(paused)}`)
  })
).pipe(
  Command.withDescription(
    "Remove data/<id>/crypto and data/<id>/cache (symlinks are removed, never followed; a running agent is stopped first and started again)"
  )
)

export const cache = Command.make("cache").pipe(
  Command.withSubcommands([cacheDelete]),
  Command.withDescription("An agent's cached files in data/<id>/")
)
