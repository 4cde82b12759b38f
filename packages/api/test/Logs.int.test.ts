import { recordPrefix, type RecordFlag } from "@agentctl/core/LogRecord"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { appendFileSync } from "node:fs"
import { request } from "node:http"
import { join } from "node:path"
import { agentYaml, apiServer, cleanup, diskFleet, raw, serverPort, tempDir, writeFiles } from "./harness.ts"

/*
 * GET /agents/{id}/logs over record files (the launcher's layout, written by hand): the answer's
 * records, the filters, and the SSE follow's ids and resume.
 */

const rec = (seq: number, at: number, flag: RecordFlag, text: string) => `${recordPrefix(seq, at, flag)}${text}\n`

interface Frame {
  readonly id: string | null
  readonly data: { readonly seq: number | null; readonly text: string; readonly stream: string }
}

/** The first `count` data frames of an SSE response, then the connection is dropped. */
const sseFrames = (port: number, path: string, headers: Record<string, string>, count: number, onOpen = () => {}) =>
  new Promise<ReadonlyArray<Frame>>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      let text = ""
      onOpen()
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        text += chunk
        const frames = text
          .split("\n\n")
          .filter((block) => /^data: /m.test(block))
          .map((block) => ({
            id: /^id: (.*)$/m.exec(block)?.[1] ?? null,
            data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Frame["data"]
          }))
        if (frames.length >= count) {
          req.destroy()
          resolve(frames.slice(0, count))
        }
      })
    })
    req.on("error", reject)
    req.setTimeout(15_000, () => reject(new Error(`no ${count} frames from ${path}`)))
    req.end()
  })

const lines = (query: string) =>
  Effect.map(raw("GET", `/agents/a1/logs?${query}`), (r) => (r.body as { lines: ReadonlyArray<string> }).lines)

describe("GET /agents/{id}/logs", () => {
  afterAll(cleanup)

  const now = Date.now()
  const setup = () => {
    const root = tempDir()
    writeFiles(root, {
      "agents/a1/config.yaml": agentYaml("a1"),
      "run/logs/a1/0000000000000001.log": rec(1, now - 3_600_000, "o", "old"),
      "run/logs/a1/current.log":
        rec(2, now - 3000, "o", "out 2") +
        rec(3, now - 2000, "e", "err 3") +
        rec(4, now - 1500, "x", "gone") +
        rec(5, now - 1000, "O", "cut 5")
    })
    return root
  }

  it.live("records and lines; tail, since, until and stream filter; bad values are 400s naming them", () => {
    const root = setup()
    return Effect.gen(function* () {
      const all = yield* raw("GET", "/agents/a1/logs")
      assert.strictEqual(all.status, 200)
      const body = all.body as { id: string; lines: ReadonlyArray<string>; records: ReadonlyArray<unknown> }
      assert.deepStrictEqual(body.lines, ["old", "out 2", "err 3", "cut 5"])
      assert.deepStrictEqual(body.records[2], {
        seq: 3,
        at: now - 2000,
        stream: "stderr",
        text: "err 3",
        cut: false,
        partial: false
      })
      assert.deepStrictEqual(yield* lines("tail=2"), ["err 3", "cut 5"])
      assert.deepStrictEqual(yield* lines("since=10m"), ["out 2", "err 3", "cut 5"])
      assert.deepStrictEqual(yield* lines("until=30m"), ["old"])
      assert.deepStrictEqual(yield* lines(`until=${encodeURIComponent(new Date(now - 2500).toISOString())}`), [
        "old",
        "out 2"
      ])
      assert.deepStrictEqual(yield* lines("stream=stderr"), ["err 3"])
      for (const [query, name] of [
        ["since=yesterday", "since"],
        ["until=5d", "until"],
        ["stream=both", "stream"]
      ] as const) {
        const r = yield* raw("GET", `/agents/a1/logs?${query}`)
        assert.strictEqual(r.status, 400, query)
        assert.include((r.body as { message: string }).message, `query parameter "${name}"`)
      }
    }).pipe(Effect.provide(apiServer({ fleet: diskFleet(root), dataRoot: root })))
  })

  it.live("follow: one event per record with its seq as id; Last-Event-ID resumes right after it", () => {
    const root = setup()
    const current = join(root, "run", "logs", "a1", "current.log")
    return Effect.gen(function* () {
      const port = yield* serverPort
      const first = yield* Effect.promise(() =>
        sseFrames(port, "/agents/a1/logs?follow=true&tail=2", {}, 3, () =>
          setTimeout(() => appendFileSync(current, rec(6, Date.now(), "o", "live 6")), 300)
        )
      )
      assert.deepStrictEqual(
        first.map((f) => [f.id, f.data.seq, f.data.text]),
        [
          ["3", 3, "err 3"],
          ["5", 5, "cut 5"],
          ["6", 6, "live 6"]
        ]
      )
      // Reconnecting after seq 2: everything since, whatever tail says, then what comes next.
      const resumed = yield* Effect.promise(() =>
        sseFrames(port, "/agents/a1/logs?follow=true&tail=1", { "last-event-id": "2" }, 4, () =>
          setTimeout(() => appendFileSync(current, rec(7, Date.now(), "e", "live 7")), 300)
        )
      )
      assert.deepStrictEqual(
        resumed.map((f) => f.id),
        ["3", "5", "6", "7"]
      )
    }).pipe(Effect.provide(apiServer({ fleet: diskFleet(root), dataRoot: root })))
  })

  it.live("a malformed Last-Event-ID is a 400 naming the header", () => {
    const root = setup()
    return Effect.gen(function* () {
      const r = yield* raw("GET", "/agents/a1/logs?follow=true", { headers: { "last-event-id": "abc" } })
      assert.strictEqual(r.status, 400)
      assert.include((r.body as { message: string }).message, `header "last-event-id"`)
    }).pipe(Effect.provide(apiServer({ fleet: diskFleet(root), dataRoot: root })))
  })
})
