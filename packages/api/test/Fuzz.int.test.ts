/**
 * Thousands of random requests — paths, ids, query strings, bodies, content types, auth headers —
 * against a live server over fake processes. Whatever the input: no 5xx, every error is JSON with
 * a `_tag` and a `message`, and the server still answers afterwards. Seeded, so a failure names
 * the request and replays.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpServer from "effect/http/HttpServer"
import * as http from "node:http"
import { join } from "node:path"
import { authToken } from "../src/AuthLayers.ts"
import * as NodeApiToken from "@agentctl/shell/NodeApiToken"
import { agentYaml, apiServer, cleanup, memoryFleet, tempDir } from "./harness.ts"

/** mulberry32: small, fast, good enough to spread inputs; the seed makes a failure replayable. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const makeGen = (random: () => number) => {
  const int = (n: number) => Math.floor(random() * n)
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[int(xs.length)]!
  const chars = "abcxyz019._-~!$&'()*+,;=:@/?#[]%\"<>\\^`{|} \t\u0000\u00e9\u2603\ud83d\ude00"
  const randomString = (max: number) => Array.from({ length: int(max) }, () => pick([...chars])).join("")
  /** Only what may appear in a request line; everything else percent-encoded (sometimes badly). */
  const pathSafe = (s: string) =>
    [...s]
      .map((c) => (/[A-Za-z0-9._~!$&'()*+,;=:@-]/.test(c) ? c : random() < 0.1 ? "%" : encodeURIComponent(c)))
      .join("")
  const id = () =>
    pick([
      () => pick(["a1", "a2", "off", "ghost", "zbad"]),
      () => randomString(12),
      () => "x".repeat(pick([63, 64, 100, 1000, 5000])),
      () => pick(["..", ".", "", "%2e%2e", "%2F", "a%2Fb", "%zz", "%", "%00", "%C0%AF", "a..b", "UPPER", "-x", "_x"]),
      () => String(int(1e9)),
      () => pick(["__proto__", "constructor", "toString", "hasOwnProperty"])
    ])()
  const suffix = () =>
    pick([
      "",
      "/start",
      "/stop",
      "/restart",
      "/kill",
      "/enable",
      "/disable",
      "/stats",
      "/history",
      "/env",
      "/logs",
      "/clear_memory",
      "/delete_cache",
      "/" + pathSafe(randomString(6))
    ])
  const path = () =>
    pick([
      () => `/agents/${pathSafe(id())}${suffix()}`,
      () => pick(["/agents", "/healthz", "/events", "/reload", "/build", "/openapi.json", "/docs"]),
      () => `/fleet/${pick(["start", "stop", "restart", "kill", pathSafe(randomString(5))])}`,
      () => `/${pathSafe(randomString(20))}`,
      () => `//agents//${pathSafe(id())}`,
      () => "/" + Array.from({ length: int(8) }, () => pathSafe(randomString(6))).join("/")
    ])()
  const queryValue = () =>
    pick([
      () => String(int(200_000) - 50_000),
      () => pick(["true", "false", "1", "0", "yes", "", "2s", "500ms", "1h", "-1s", "1e9", "NaN", "Infinity", "0x10"]),
      () => pathSafe(randomString(10)),
      () => "9".repeat(pick([5, 20, 400]))
    ])()
  const query = () => {
    if (random() < 0.4) return ""
    const pairs = Array.from({ length: 1 + int(4) }, () => {
      const key = pick(["tail", "follow", "timeout", "agent", "id", pathSafe(randomString(5))])
      return `${key}=${queryValue()}`
    })
    return `?${pairs.join("&")}`
  }
  const jsonValue = (depth: number): unknown =>
    depth > 3
      ? null
      : pick<() => unknown>([
          () => int(1e6) - 5e5,
          () => randomString(10),
          () => random() < 0.5,
          () => null,
          () => Array.from({ length: int(4) }, () => jsonValue(depth + 1)),
          () => ({
            ids: random() < 0.7 ? Array.from({ length: int(4) }, id) : jsonValue(depth + 1),
            all: random() < 0.5 ? random() < 0.5 : jsonValue(depth + 1),
            timeout: random() < 0.5 ? queryValue() : jsonValue(depth + 1),
            [randomString(4)]: jsonValue(depth + 1)
          })
        ])()
  const body = (): { readonly body?: Buffer; readonly contentType?: string } => {
    if (random() < 0.3) return {}
    const contentType = pick([
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      "application/octet-stream",
      undefined
    ])
    const payload = pick([
      () => Buffer.from(JSON.stringify(jsonValue(0))),
      () => Buffer.from(JSON.stringify(jsonValue(0))).subarray(0, int(20)),
      () => Buffer.from(Array.from({ length: int(64) }, () => int(256))),
      () => Buffer.from("{".repeat(int(5000))),
      () => Buffer.from(`{"ids":["a1"],"all":false}`),
      () => Buffer.from(`{"all":true,"timeout":"${queryValue()}"}`)
    ])()
    return contentType === undefined ? { body: payload } : { body: payload, contentType }
  }
  const anyMethod = () => pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
  const knownId = () => (random() < 0.6 ? pick(["a1", "a2", "off"]) : pathSafe(id()))
  /** Mostly real routes with their own method (so handlers run), else anything at all. */
  const target = (): { readonly method: string; readonly path: string } =>
    random() < 0.35
      ? { method: anyMethod(), path: path() }
      : pick<() => { method: string; path: string }>([
          () => ({ method: "GET", path: "/agents" }),
          () => ({ method: "GET", path: `/agents/${knownId()}${pick(["", "/stats", "/history", "/env", "/logs"])}` }),
          () => ({
            method: "POST",
            path: `/agents/${knownId()}/${pick(["start", "stop", "restart", "kill", "enable", "disable", "clear_memory", "delete_cache"])}`
          }),
          () => ({ method: "POST", path: `/fleet/${pick(["start", "stop", "restart", "kill"])}` }),
          () => ({ method: pick(["GET", "POST"]), path: pick(["/events", "/reload", "/build", "/healthz"]) })
        ])()
  const authorization = (token: string) =>
    pick([
      undefined,
      `Bearer ${token}`,
      `Bearer ${token}x`,
      "Bearer",
      "Bearer ",
      `bearer ${token}`,
      `Basic ${token}`,
      randomString(30)
    ])
  return { target, query, body, authorization }
}

interface Outcome {
  readonly status: number
  readonly contentType: string
  readonly text: string
}

const send = (
  port: number,
  request: { method: string; path: string; headers: Record<string, string>; body?: Buffer }
): Promise<Outcome | "unsendable"> =>
  new Promise((resolve) => {
    let req: http.ClientRequest
    try {
      req = http.request({
        port,
        host: "127.0.0.1",
        method: request.method,
        path: request.path,
        headers: request.headers
      })
    } catch {
      // node:http refuses to put some strings on the wire at all; those never reach a server
      return resolve("unsendable")
    }
    req.once("error", (error) => resolve({ status: -1, contentType: "", text: `no response: ${String(error)}` }))
    req.once("response", (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.once("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          text: Buffer.concat(chunks).toString("utf8")
        })
      )
    })
    req.end(request.body)
  })

const fuzz = (options: { readonly seed: number; readonly count: number; readonly token?: string }) =>
  Effect.gen(function* () {
    const server = yield* HttpServer.HttpServer
    const address = server.address
    const port = address._tag === "UnixPathAddress" ? 0 : address.port
    const gen = makeGen(prng(options.seed))
    const requests = Array.from({ length: options.count }, (_, i) => {
      const { body, contentType } = gen.body()
      const headers: Record<string, string> = {}
      if (contentType !== undefined) headers["content-type"] = contentType
      // node:http frames a DELETE/OPTIONS body only with an explicit length
      if (body !== undefined) headers["content-length"] = String(body.length)
      const authorization = options.token === undefined ? undefined : gen.authorization(options.token)
      if (authorization !== undefined) headers["authorization"] = authorization
      const { method, path } = gen.target()
      return { i, method, path: path + gen.query(), headers, ...(body === undefined ? {} : { body }) }
    })
    const statuses = new Map<number, number>()
    yield* Effect.forEach(
      requests,
      (request) =>
        Effect.promise(() => send(port, request)).pipe(
          Effect.map((outcome) => {
            if (outcome === "unsendable") return
            const what = `seed ${options.seed} #${request.i}: ${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers)} body=${JSON.stringify(request.body?.toString("latin1").slice(0, 100))} -> ${outcome.status} ${outcome.text.slice(0, 200)}`
            statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1)
            assert.isAbove(outcome.status, 0, what)
            assert.isBelow(outcome.status, 500, what)
            if (outcome.status >= 400) {
              assert.include(outcome.contentType, "application/json", what)
              const error = JSON.parse(outcome.text) as { _tag?: unknown; message?: unknown }
              assert.isString(error._tag, what)
              assert.isString(error.message, what)
            } else if (request.method !== "OPTIONS") {
              assert.match(outcome.contentType, /application\/json|text\/event-stream|text\/html/, what)
            }
          })
        ),
      { concurrency: 16, discard: true }
    )
    const health = yield* Effect.promise(() => send(port, { method: "GET", path: "/healthz", headers: {} }))
    assert.strictEqual(health !== "unsendable" && health.status, 200)
    return statuses
  })

const fleet = () =>
  memoryFleet({
    "agents/a1/config.yaml": agentYaml("a1", "  stop_timeout: 1s\n"),
    "agents/a2/config.yaml": agentYaml("a2", "  stop_timeout: 1s\n"),
    "agents/off/config.yaml": agentYaml("off", "", false),
    "agents/zbad/config.yaml": "agent: [",
    "run/a1.log": "hello\nworld\n"
  })

describe("fuzz: random requests never crash the server", () => {
  afterAll(cleanup)

  it.live(
    "3000 random requests on the socket routes (no token): no 5xx, JSON errors",
    () =>
      Effect.gen(function* () {
        const statuses = yield* fuzz({ seed: 20240607, count: 3000 })
        // the generator reaches successes and every client-error family, not just 404s
        for (const status of [200, 400, 404]) assert.isAbove(statuses.get(status) ?? 0, 0, `status ${status}`)
      }).pipe(Effect.provide(apiServer({ fleet: fleet(), dataRoot: tempDir() }))),
    120_000
  )

  it.live(
    "1500 random requests with random Authorization headers on the token routes",
    () => {
      const tokenFile = join(tempDir(), "api.token")
      return Effect.gen(function* () {
        const token = yield* NodeApiToken.make(tokenFile).ensure
        const statuses = yield* fuzz({ seed: 7, count: 1500, token })
        assert.isAbove(statuses.get(401) ?? 0, 0)
        assert.isAbove(statuses.get(200) ?? 0, 0)
      }).pipe(
        Effect.provide(
          apiServer({
            fleet: fleet(),
            dataRoot: tempDir(),
            auth: authToken(NodeApiToken.make(tokenFile))
          })
        )
      )
    },
    120_000
  )
})
