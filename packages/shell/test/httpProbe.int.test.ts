import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { ProbeRunner } from "@agentctl/core/ProbeRunner"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { closedPort, runnerLayer, runOnce, targetOf } from "./probeHarness.ts"
import { cleanup, waitFor } from "./support.ts"

describe("http probe", () => {
  let server: Server
  let base = ""
  beforeAll(
    () =>
      new Promise<void>((resolve) => {
        server = createServer((req, res) => {
          if (req.url === "/ok") return void res.writeHead(200).end("fine")
          if (req.url === "/down") return void res.writeHead(503).end("warming up\n")
          if (req.url === "/moved") return void res.writeHead(302, { location: "/nowhere" }).end()
          if (req.url === "/empty") return void res.writeHead(204).end()
          // /silent answers nothing; /stalled sends its head and never ends the body
          if (req.url === "/stalled") res.writeHead(200).write("part")
        })
        server.listen(0, "127.0.0.1", () => {
          base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
          resolve()
        })
      })
  )
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
        cleanup()
      })
  )

  const connections = () =>
    new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))))

  const probe = (path: string, more: Record<string, unknown> = {}) => runOnce(targetOf({ http: base + path, ...more }))

  it.live("a 2xx passes, with the status and the start of the body", () =>
    Effect.gen(function* () {
      expect(yield* probe("/ok")).toMatchObject({ ok: true, output: "HTTP 200: fine", error: null })
      expect(yield* probe("/empty")).toMatchObject({ ok: true, output: "HTTP 204", error: null })
    })
  )

  it.live("a 5xx fails, saying what the server said", () =>
    Effect.gen(function* () {
      expect(yield* probe("/down")).toMatchObject({ ok: false, output: "HTTP 503: warming up", error: null })
    })
  )

  it.live("a redirect is an answer: a 302 passes without being followed", () =>
    Effect.gen(function* () {
      expect(yield* probe("/moved")).toMatchObject({ ok: true, output: "HTTP 302", error: null })
    })
  )

  it.live("with `status`, only that status passes", () =>
    Effect.gen(function* () {
      expect(yield* probe("/ok", { status: 204 })).toMatchObject({
        ok: false,
        output: "HTTP 200 (expected 204): fine",
        error: null
      })
      expect(yield* probe("/empty", { status: 204 })).toMatchObject({ ok: true, output: "HTTP 204" })
      expect(yield* probe("/down", { status: 503 })).toMatchObject({ ok: true })
    })
  )

  it.live("a refused connection fails, naming the URL and the refusal", () =>
    Effect.gen(function* () {
      const url = `http://127.0.0.1:${yield* Effect.promise(closedPort)}/healthz`
      expect(yield* runOnce(targetOf({ http: url }))).toMatchObject({
        ok: false,
        output: `GET ${url}: ECONNREFUSED`,
        error: null
      })
    })
  )

  it.live("a server that never answers fails at the timeout, and so does one that never ends its body", () =>
    Effect.gen(function* () {
      for (const path of ["/silent", "/stalled"]) {
        expect(yield* probe(path, { timeout: "300ms" })).toMatchObject({
          ok: false,
          output: `GET ${base}${path}: no answer within 300ms`,
          error: null
        })
      }
    })
  )

  it.live("interrupting a run closes its connection", () =>
    Effect.gen(function* () {
      const runner = yield* ProbeRunner
      const fiber = yield* Effect.forkChild(runner.run(targetOf({ http: `${base}/silent`, timeout: "60s" })))
      yield* Effect.promise(() =>
        waitFor("the probe's connection", async () => ((await connections()) > 0 ? true : undefined))
      )
      yield* Fiber.interrupt(fiber)
      yield* Effect.promise(() =>
        waitFor("no connection left", async () => ((await connections()) === 0 ? true : undefined))
      )
    }).pipe(Effect.provide(runnerLayer()))
  )
})
