import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import { RunDir } from "@agentctl/core/RunDir"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Command } from "effect/cli"
import { followFlag, idArgument, inFleet, linesFlag } from "../Root.ts"

const write = (lines: ReadonlyArray<string>) =>
  Effect.sync(() => {
    if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`)
  })

export const logs = Command.make(
  "logs",
  {
    id: idArgument,
    lines: linesFlag,
    follow: followFlag
  },
  Effect.fn("cli.logs")(function* ({ id, lines, follow }) {
    yield* inFleet(
      Effect.gen(function* () {
        yield* requireAgent(yield* loadFleet(), id)
        const runDir = yield* RunDir
        const file = runDir.logFile(id)
        if (follow) yield* Stream.runForEach(runDir.tailFollow(file, lines), (line) => write([line]))
        else yield* write(yield* runDir.tail(file, lines))
      })
    )
  })
).pipe(Command.withDescription("The last lines of an agent's log (run/<id>.log); -f follows it"))
