import { afterAll, assert, describe, it } from "@effect/vitest"
import { AgentData } from "@agentctl/core/AgentData"
import * as SqliteAgentData from "@agentctl/shell/SqliteAgentData"
import * as Effect from "effect/Effect"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as Layer from "effect/Layer"
import { spawn } from "node:child_process"
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { connect, createServer as createNetServer } from "node:net"
import { join } from "node:path"
import { Api } from "../src/Api.ts"
import { authToken } from "../src/AuthLayers.ts"
import { ApiClient, makeClient } from "../src/Client.ts"
import * as Server from "../src/Server.ts"
import * as NodeApiToken from "@agentctl/shell/NodeApiToken"
import { agentYaml, apiServer, cleanup, memoryFleet, raw, tempDir } from "./harness.ts"

const files = { "agents/a1/config.yaml": agentYaml("a1") }
const mode = (file: string) => statSync(file).mode & 0o777

/** A port that was free a moment ago (the listener under test binds it right after). */
const freePort = () =>
  Effect.promise(
    () =>
      new Promise<number>((resolve, reject) => {
        const server = createNetServer()
        server.once("error", reject)
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
        })
      })
  )

const withTokenServer = <A, E, R>(tokenFile: string, effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.provide(
      apiServer({
        fleet: memoryFleet(files),
        dataRoot: tempDir(),
        auth: authToken(NodeApiToken.make(tokenFile))
      })
    )
  )

describe("token auth on the TCP routes", () => {
  afterAll(cleanup)

  it.live("no token, a wrong token: 401 JSON with WWW-Authenticate; the right one: 200; /healthz needs none", () => {
    const tokenFile = join(tempDir(), "api.token")
    return withTokenServer(
      tokenFile,
      Effect.gen(function* () {
        const token = yield* NodeApiToken.make(tokenFile).ensure
        const none = yield* raw("GET", "/agents")
        assert.strictEqual(none.status, 401)
        assert.strictEqual((none.body as { _tag: string })._tag, "Unauthorized")
        assert.match((none.body as { message: string }).message, /missing token/)
        const wrong = yield* raw("GET", "/agents", { headers: { authorization: `Bearer ${token.slice(0, -1)}x` } })
        assert.strictEqual(wrong.status, 401)
        assert.match((wrong.body as { message: string }).message, /invalid token/)
        const basic = yield* raw("POST", "/agents/a1/start", { headers: { authorization: `Basic ${token}` } })
        assert.strictEqual(basic.status, 401)
        const ok = yield* raw("GET", "/agents", { headers: { authorization: `Bearer ${token}` } })
        assert.strictEqual(ok.status, 200)
        assert.strictEqual((yield* raw("GET", "/healthz")).status, 200)
        assert.strictEqual((yield* raw("GET", "/openapi.json")).status, 200)
        // auth runs before the id is looked at: no token reveals nothing about ids
        assert.strictEqual((yield* raw("GET", "/agents/NOT-VALID")).status, 401)

        const typed = yield* makeClient({ token })
        assert.strictEqual((yield* typed.agents.list()).length, 1)
        const anonymous = yield* HttpApiClient.make(Api)
        const error = yield* Effect.flip(anonymous.agents.list())
        assert.strictEqual(error._tag, "Unauthorized")
      })
    )
  })

  it.live("rotation takes effect on the next request; no token file refuses everything", () => {
    const tokenFile = join(tempDir(), "api.token")
    return withTokenServer(
      tokenFile,
      Effect.gen(function* () {
        const missing = yield* raw("GET", "/agents", { headers: { authorization: "Bearer anything" } })
        assert.strictEqual(missing.status, 401)
        assert.match((missing.body as { message: string }).message, /no API token configured/)
        const first = yield* NodeApiToken.make(tokenFile).ensure
        assert.strictEqual(
          (yield* raw("GET", "/agents", { headers: { authorization: `Bearer ${first}` } })).status,
          200
        )
        const second = yield* NodeApiToken.make(tokenFile).rotate
        assert.notStrictEqual(first, second)
        assert.strictEqual(
          (yield* raw("GET", "/agents", { headers: { authorization: `Bearer ${first}` } })).status,
          401
        )
        assert.strictEqual(
          (yield* raw("GET", "/agents", { headers: { authorization: `Bearer ${second}` } })).status,
          200
        )
      })
    )
  })
})

describe("token file", () => {
  afterAll(cleanup)

  it.effect("ensureToken creates 32 random bytes as hex, mode 0600, and keeps it; rotateToken replaces it", () =>
    Effect.gen(function* () {
      const file = join(tempDir(), "run", "api.token")
      const token = yield* NodeApiToken.make(file).ensure
      assert.match(token, /^[0-9a-f]{64}$/)
      assert.strictEqual(mode(file), 0o600)
      assert.strictEqual(readFileSync(file, "utf8"), `${token}\n`)
      assert.strictEqual(yield* NodeApiToken.make(file).ensure, token)
      const rotated = yield* NodeApiToken.make(file).rotate
      assert.match(rotated, /^[0-9a-f]{64}$/)
      assert.notStrictEqual(rotated, token)
      assert.strictEqual(mode(file), 0o600)
      assert.strictEqual(yield* NodeApiToken.make(file).ensure, rotated)
    })
  )

  it.effect("a loosened token file is tightened back to 0600", () =>
    Effect.gen(function* () {
      const file = join(tempDir(), "api.token")
      writeFileSync(file, "abc\n")
      chmodSync(file, 0o644)
      assert.strictEqual(yield* NodeApiToken.make(file).ensure, "abc")
      assert.strictEqual(mode(file), 0o600)
    })
  )

  it("newToken: 32 random bytes as hex, never the same twice", () => {
    const tokens = Array.from({ length: 50 }, NodeApiToken.newToken)
    for (const token of tokens) assert.match(token, /^[0-9a-f]{64}$/)
    assert.strictEqual(new Set(tokens).size, tokens.length)
  })

  it("isLoopback", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) assert.isTrue(Server.isLoopback(host), host)
    for (const host of ["0.0.0.0", "::", "192.168.1.2", "example.com"]) assert.isFalse(Server.isLoopback(host), host)
  })
})

describe("Server.layer: unix socket and TCP listeners together", () => {
  afterAll(cleanup)

  it.live("socket 0600 without a token, TCP with one; both one contract; the socket is gone afterwards", () => {
    const root = tempDir()
    const socketPath = join(root, "agentctl.sock")
    const tokenFile = join(root, "run", "api.token")
    return Effect.gen(function* () {
      const port = yield* freePort()
      const server = Server.layer({
        version: "1.2.3",
        socketPath,
        tcp: { port, token: NodeApiToken.make(tokenFile) }
      }).pipe(Layer.provide(Layer.mergeAll(memoryFleet(files), SqliteAgentData.layer(root))))
      yield* Effect.gen(function* () {
        assert.strictEqual(statSync(socketPath).mode & 0o777, 0o600)
        assert.strictEqual(mode(tokenFile), 0o600)
        const token = readFileSync(tokenFile, "utf8").trim()

        const overSocket = yield* ApiClient.use((api) => api.agents.start({ params: { id: "a1" } })).pipe(
          Effect.provide(ApiClient.layerSocket(socketPath))
        )
        assert.strictEqual(overSocket.result, "started")

        const url = `http://127.0.0.1:${port}`
        const rows = yield* ApiClient.use((api) => api.agents.list()).pipe(
          Effect.provide(ApiClient.layerTcp({ url, token }))
        )
        assert.deepStrictEqual(
          rows.map((r) => [r.id, r.status]),
          [["a1", "running"]]
        )
        const refused = yield* ApiClient.use((api) => api.agents.list()).pipe(
          Effect.provide(ApiClient.layerTcp({ url, token: "wrong" })),
          Effect.flip
        )
        assert.strictEqual(refused._tag, "Unauthorized")
        const health = yield* ApiClient.use((api) => api.system.health()).pipe(
          Effect.provide(ApiClient.layerTcp({ url, token: "" }))
        )
        assert.strictEqual(health.version, "1.2.3")

        // bytes that are not HTTP at all still get a JSON answer
        const garbage = yield* Effect.promise(
          () =>
            new Promise<string>((resolve) => {
              const socket = connect({ port, host: "127.0.0.1" }, () => socket.write("NOT HTTP AT ALL\r\n\r\n"))
              const chunks: Array<Buffer> = []
              socket.on("data", (c: Buffer) => chunks.push(c))
              socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")))
            })
        )
        assert.match(garbage, /^HTTP\/1.1 400 Bad Request\r\n/)
        assert.include(garbage, "Content-Type: application/json")
        assert.strictEqual(JSON.parse(garbage.slice(garbage.indexOf("\r\n\r\n") + 4))._tag, "BadRequest")
      }).pipe(Effect.provide(server))
      assert.isFalse(existsSync(socketPath))
    })
  })

  it.live("a stale socket file is replaced; a live one is refused", () => {
    const root = tempDir()
    const socketPath = join(root, "agentctl.sock")
    const serve = () =>
      Server.layer({ version: "x", socketPath }).pipe(
        Layer.provide(Layer.mergeAll(memoryFleet(files), Layer.succeed(AgentData, SqliteAgentData.make(root))))
      )
    return Effect.gen(function* () {
      yield* leaveStaleSocket(socketPath)
      assert.isTrue(existsSync(socketPath))
      yield* Effect.gen(function* () {
        const health = yield* ApiClient.use((api) => api.system.health()).pipe(
          Effect.provide(ApiClient.layerSocket(socketPath))
        )
        assert.strictEqual(health.status, "ok")
        const second = yield* Layer.build(serve()).pipe(Effect.scoped, Effect.flip)
        assert.match(String(second.cause), /another process is serving/)
      }).pipe(Effect.provide(serve()))
    })
  })
})

/** What a SIGKILLed launcher leaves behind: a socket file nobody listens on. */
const leaveStaleSocket = (path: string) =>
  Effect.promise(
    () =>
      new Promise<void>((resolve, reject) => {
        const script = `require("node:net").createServer().listen(${JSON.stringify(path)}, () => console.log("up"))`
        const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] })
        child.once("error", reject)
        child.stdout.once("data", () => child.kill("SIGKILL"))
        child.once("exit", () => resolve())
      })
  )
