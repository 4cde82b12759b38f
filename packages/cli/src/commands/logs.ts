import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import { UsageError } from "@agentctl/core/Errors"
import { RunDir } from "@agentctl/core/RunDir"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Argument, Command, Flag } from "effect/cli"
import { inFleet } from "../Root.ts"

const write = (lines: ReadonlyArray<string>) =>
  Effect.sync(() => {
    if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`)
  })

export const logs = Command.make(
  "logs",
  {
    id: Argument.String("id").pipe(Argument.withDescription("agent id")),
    lines: Flag.Int("lines").pipe(Flag.withAlias("n"), Flag.withDefault(100), Flag.withDescription("how many lines")),
    follow: Flag.Boolean("follow").pipe(
      Flag.withAlias("f"),
      Flag.withDefault(false),
      Flag.withDescription("keep printing new lines")
    )
  },
  Effect.fn("cli.logs")(function* ({ id, lines, follow }) {
    if (lines < 0) return yield* new UsageError({ message: `--lines: expected 0 or more, got ${lines}` })
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
