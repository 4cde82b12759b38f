import * as AgentData from "@agentctl/core/AgentData"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { idArgument, jsonOutput } from "../Root.ts"
import { inFleetData, pausedJson, restartText } from "./memory.ts"

export const cacheDelete = Command.make(
  "delete",
  { id: idArgument },
  Effect.fn("cli.cache.delete")(function* ({ id }) {
    const paused = yield* inFleetData(AgentData.deleteCache(id))
    const { paths_deleted, paths_missing } = paused.result
    if (yield* jsonOutput) return yield* pausedJson(paused)
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
