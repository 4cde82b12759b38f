import { Control } from "@agentctl/core/Control"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command } from "effect/cli"
import { printJson } from "../Output.ts"
import { idArgument, inFleet, jsonOutput } from "../Root.ts"

const toggle = (name: "enable" | "disable") =>
  Command.make(
    name,
    { id: idArgument },
    Effect.fn(`cli.${name}`)(function* ({ id }) {
      const out = yield* inFleet(Control.use((c) => c.setEnabled(id, name === "enable")))
      if (yield* jsonOutput) return yield* printJson(out)
      yield* Console.log(
        out.changed ? `${name}d ${id} (${out.file})` : `${id} is already ${name}d; ${out.file} unchanged`
      )
    })
  ).pipe(
    Command.withDescription(
      name === "enable"
        ? "Set agent.enabled: true in its config (comments and layout kept)"
        : "Set agent.enabled: false in its config; a running agent keeps running until stopped"
    )
  )

export const enable = toggle("enable")
export const disable = toggle("disable")
