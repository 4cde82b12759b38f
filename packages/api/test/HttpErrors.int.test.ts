import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { connect } from "node:net"
import { agentYaml, apiServer, cleanup, memoryFleet, serverPort, tempDir } from "./harness.ts"

/*
 * Requests no HTTP client library would send, written to the socket as they are: every answer is
 * still JSON with a `_tag` and a `message`.
 */

interface RawReply {
  readonly status: number
  readonly body: unknown
}

/** `head` (request line and headers, without the blank line) as bytes on a fresh connection. */
const send = (port: number, head: string) =>
  Effect.promise(
    () =>
      new Promise<RawReply>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.end(`${head}\r\nConnection: close\r\n\r\n`))
        let text = ""
        socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk))
        socket.on("error", reject)
        socket.on("close", () => {
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
          const body = text.slice(text.indexOf("\r\n\r\n") + 4)
          resolve({ status, body: JSON.parse(body) })
        })
      })
  )

const withPort = <A, E>(body: (port: number) => Effect.Effect<A, E>) =>
  Effect.flatMap(serverPort, body).pipe(
    Effect.provide(apiServer({ fleet: memoryFleet({ "agents/a1/config.yaml": agentYaml("a1") }), dataRoot: tempDir() }))
  )

describe("malformed requests", () => {
  afterAll(cleanup)

  it.live("HTTP/1.1 without Host: 400 BadRequest naming the header; HTTP/1.0 needs none", () =>
    withPort((port) =>
      Effect.gen(function* () {
        const r = yield* send(port, "GET /agents HTTP/1.1")
        assert.strictEqual(r.status, 400)
        assert.deepStrictEqual(r.body, {
          _tag: "BadRequest",
          message: 'header "host": required by HTTP/1.1',
          in: "header",
          issues: [{ path: ["host"], message: "required by HTTP/1.1" }]
        })
        assert.strictEqual((yield* send(port, "GET /healthz HTTP/1.0")).status, 200)
      })
    )
  )

  it.live("headers over the limit: 431 HeaderTooLarge", () =>
    withPort((port) =>
      Effect.gen(function* () {
        const r = yield* send(port, `GET /agents HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}`)
        assert.strictEqual(r.status, 431)
        assert.deepInclude(r.body, { _tag: "HeaderTooLarge" })
        assert.match((r.body as { message: string }).message, /headers are larger than \d+ bytes/)
      })
    )
  )

  it.live("malformed percent-encoding in an id: 400 naming `id`, on every per-agent route", () =>
    withPort((port) =>
      Effect.gen(function* () {
        for (const [method, suffix] of [
          ["POST", "/start"],
          ["POST", "/stop"],
          ["GET", ""],
          ["GET", "/logs"]
        ]) {
          const r = yield* send(port, `${method} /agents/%E0%A4%A${suffix} HTTP/1.1\r\nHost: x\r\nContent-Length: 0`)
          assert.strictEqual(r.status, 400, `${method} ${suffix}`)
          assert.deepStrictEqual(r.body, {
            _tag: "BadRequest",
            message: 'path parameter "id": malformed percent-encoding',
            in: "path",
            issues: [{ path: ["id"], message: "malformed percent-encoding" }]
          })
        }
        // No route takes it, but it is still a bad request rather than an unknown route.
        const elsewhere = yield* send(port, "GET /nope/%zz HTTP/1.1\r\nHost: x")
        assert.strictEqual(elsewhere.status, 400)
        assert.deepInclude(elsewhere.body, { _tag: "BadRequest", in: "path" })
        assert.deepInclude((yield* send(port, "GET /nope/ok HTTP/1.1\r\nHost: x")).body, { _tag: "RouteNotFound" })
      })
    )
  )
})
