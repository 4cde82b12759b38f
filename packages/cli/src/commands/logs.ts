import { AgentLogs, type LogQuery } from "@agentctl/core/AgentLogs"
import { UsageError } from "@agentctl/core/Errors"
import { loadFleet, requireAgent } from "@agentctl/core/FleetLoader"
import { resolveTimeBound } from "@agentctl/core/logTime"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Command, Flag } from "effect/cli"
import { logDu, logRotate } from "./logsMaintenance.ts"
import { formatJson, formatLine, mergeByTime, type Shown } from "../logLines.ts"
import {
  allFlag,
  followFlag,
  idsArgument,
  inFleet,
  jsonOutput,
  linesFlag,
  sinceFlag,
  streamFlag,
  untilFlag
} from "../Root.ts"

const write = (lines: ReadonlyArray<string>) =>
  Effect.sync(() => {
    if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`)
  })

const timestampsFlag = Flag.Boolean("timestamps").pipe(
  Flag.withDefault(false),
  Flag.withDescription("prefix each line with its arrival time (ISO 8601; - for raw lines of unknown time)")
)

const duFlag = Flag.Boolean("du").pipe(
  Flag.withDefault(false),
  Flag.withDescription("the log usage of these agents (all without ids) against the fleet's budget")
)

const rotateFlag = Flag.Boolean("rotate").pipe(
  Flag.withDefault(false),
  Flag.withDescription(
    "without a launcher: take every run/<id>.log into the records, rotate every log and apply the budget"
  )
)

export const logs = Command.make(
  "logs",
  {
    ids: idsArgument,
    all: allFlag,
    lines: linesFlag,
    follow: followFlag,
    since: sinceFlag,
    until: untilFlag,
    stream: streamFlag,
    timestamps: timestampsFlag,
    du: duFlag,
    rotate: rotateFlag
  },
  Effect.fn("cli.logs")(function* ({ ids, all, lines, follow, since, until, stream, timestamps, du, rotate }) {
    if (du && rotate) return yield* new UsageError({ message: "give --du or --rotate, not both" })
    if (du || rotate) {
      const json = yield* jsonOutput
      return yield* inFleet(
        Effect.gen(function* () {
          const fleet = yield* loadFleet()
          for (const id of ids) yield* requireAgent(fleet, id)
          if (rotate) return yield* logRotate(fleet)
          return yield* logDu(fleet, ids.length === 0 ? [...fleet.agents.keys()].toSorted() : [...new Set(ids)], json)
        })
      )
    }
    if (all && ids.length > 0) return yield* new UsageError({ message: "give agent ids or --all, not both" })
    if (!all && ids.length === 0) return yield* new UsageError({ message: '"agentctl logs" needs <id> (or --all)' })
    const json = yield* jsonOutput
    const now = yield* Clock.currentTimeMillis
    const bound = (b: typeof since) => Option.match(b, { onNone: () => null, onSome: (t) => resolveTimeBound(t, now) })
    const filters = { since: bound(since), until: bound(until), stream: Option.getOrNull(stream) }
    yield* inFleet(
      Effect.gen(function* () {
        const fleet = yield* loadFleet()
        const targets = all ? [...fleet.agents.keys()].toSorted() : [...new Set(ids)]
        for (const id of targets) yield* requireAgent(fleet, id)
        const agentLogs = yield* AgentLogs
        const options = { prefixId: all || targets.length > 1, timestamps }
        const show = (shown: ReadonlyArray<Shown>) =>
          write(shown.map((s) => (json ? formatJson(s) : formatLine(s, options))))
        const query: LogQuery = { ...filters, tail: lines, afterSeq: null }

        if (targets.length === 1) {
          const id = targets[0]!
          if (follow) {
            return yield* Stream.runForEach(agentLogs.follow(id, query), (record) => show([{ id, record }]))
          }
          return yield* show((yield* agentLogs.read(id, query)).map((record) => ({ id, record })))
        }
        // Several agents: the last N lines of them all, by time; then each followed from its newest.
        const perAgent = yield* Effect.forEach(
          targets,
          (id) => Effect.map(agentLogs.read(id, query), (records) => records.map((record) => ({ id, record }))),
          { concurrency: 8 }
        )
        yield* show(lines === 0 ? [] : mergeByTime(perAgent).slice(-lines))
        if (!follow) return
        const followers = targets.map((id, i) => {
          const seqs = perAgent[i]!.flatMap((s) => (s.record.seq === null ? [] : [s.record.seq]))
          const afterSeq = seqs.length === 0 ? null : Math.max(...seqs)
          return Stream.map(
            agentLogs.follow(id, { ...query, tail: afterSeq === null ? 0 : null, afterSeq }),
            (record) => ({
              id,
              record
            })
          )
        })
        yield* Stream.runForEach(Stream.mergeAll(followers, { concurrency: "unbounded" }), (s) => show([s]))
      })
    )
  })
).pipe(
  Command.withDescription(
    "An agent's output (run/logs/<id>/, and run/<id>.log of an agent started without a launcher). stdout lines print exactly as written; stderr lines start with `[stderr] `, agentctl's own notes with `[agentctl] `, and a line cut at logs.max_line ends with ` [… cut]`. With several ids or --all, lines are merged by time and start with `<id> | `. -f follows. --du: usage against the budget; --rotate: rotate without a launcher."
  )
)
