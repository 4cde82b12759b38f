/**
 * The API over fake processes: core's FakeProcessTable (fake Prober/Signals/Spawner), the fleet's
 * configs in memory (MemoryFleet) or in a temp dir, Daemonless as the Control, real SQLite
 * AgentData in a temp dir, served on NodeHttpServer.layerTest (an ephemeral port, with an
 * HttpClient pointed at it). Every temp dir is removed by `cleanup`.
 */
import * as SqliteAgentData from "@agentctl/shell/SqliteAgentData"
import * as NodeConfigSource from "@agentctl/shell/NodeConfigSource"
import * as NodeRunDir from "@agentctl/shell/NodeRunDir"
import * as NodeAgentLogs from "@agentctl/shell/NodeAgentLogs"
import type { Control } from "@agentctl/core/Control"
import * as Daemonless from "@agentctl/core/Daemonless"
import { Fleet } from "@agentctl/core/Fleet"
import * as FakeFleetLock from "@agentctl/core/testing/FakeFleetLock"
import * as FakeProcessTable from "@agentctl/core/testing/FakeProcessTable"
import * as FakeProbeRunner from "@agentctl/core/testing/FakeProbeRunner"
import * as MemoryFleet from "@agentctl/core/testing/MemoryFleet"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import * as Layer from "effect/Layer"
import * as Path from "effect/Path"
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { Auth } from "../src/Api.ts"
import { authOpen } from "../src/AuthLayers.ts"
import { createApiServer, routes, serveOptions, sharedState } from "../src/Server.ts"
import { SseStreams } from "../src/SseResponses.ts"

/** The TCP port of the test server (apiServer listens on a free one). */
export const serverPort = Effect.gen(function* () {
  const { address } = yield* HttpServer.HttpServer
  if (address._tag === "UnixPathAddress") return yield* Effect.die(new Error("the test server listens on TCP"))
  return address.port
})

export const agentYaml = (id: string, extra = "", enabled = true) =>
  `agent:\n  id: ${id}\n  name: Agent ${id}\n  enabled: ${enabled}\nrun:\n  command: sleep\n  args: [600]\n${extra}`

const dirs = new Set<string>()

export const tempDir = (prefix = "agentctl-api-"): string => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  dirs.add(dir)
  return dir
}

export const cleanup = (): void => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  dirs.clear()
}

export const writeFiles = (root: string, files: Readonly<Record<string, string>>) => {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), text)
  }
}

const hostEnv = { PATH: "/usr/bin:/bin", HOME: "/root", API_TOKEN: "hunter2" }

/** Configs in memory, processes fake, Daemonless as the Control. */
export const memoryFleet = (files: Readonly<Record<string, string>>) =>
  Daemonless.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(FakeProcessTable.layer, FakeProbeRunner.layer, MemoryFleet.makeLayer(files, hostEnv))
    )
  )

/** Configs, logs and pid records in a real folder; processes fake, Daemonless as the Control. */
export const diskFleet = (root: string) =>
  Daemonless.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        FakeProcessTable.layer,
        FakeProbeRunner.layer,
        Layer.succeed(Fleet, Fleet.of({ root, hostEnv })),
        NodeConfigSource.layer(root),
        NodeRunDir.layer(join(root, "run")),
        NodeAgentLogs.layer(join(root, "run")),
        Path.layer,
        FakeFleetLock.layer
      )
    )
  )

type FleetServices = Layer.Success<ReturnType<typeof memoryFleet>>

/**
 * NodeHttpServer.layerTest with the launcher's own node:http server (its JSON answers to
 * malformed requests, its Host handling) on an ephemeral port, and an HttpClient pointed at it.
 */
const testServer = HttpServer.layerTestClient.pipe(
  Layer.provide(
    Layer.fresh(FetchHttpClient.layer).pipe(
      Layer.provide(Layer.succeed(FetchHttpClient.RequestInit)({ keepalive: false }))
    )
  ),
  Layer.provideMerge(NodeHttpServer.layer(createApiServer, { host: "127.0.0.1", port: 0 }))
)

/**
 * The API's routes with `auth` on a test server, over `fleet` (anything providing Control and
 * the fleet services), with SQLite agent data under `dataRoot`. `control` replaces the fleet's
 * Control (e.g. one whose event stream the test drives).
 */
export const apiServer = (options: {
  readonly fleet: Layer.Layer<FleetServices>
  readonly dataRoot: string
  readonly auth?: Layer.Layer<Auth>
  readonly control?: Layer.Layer<Control, never, FleetServices>
}) =>
  HttpRouter.serve(routes(options.auth ?? authOpen), { ...serveOptions, disableListenLog: true }).pipe(
    Layer.provide(sharedState("test-version")),
    Layer.provideMerge(SqliteAgentData.layer(options.dataRoot)),
    Layer.provideMerge(options.control === undefined ? Layer.empty : options.control),
    Layer.provideMerge(options.fleet),
    Layer.provideMerge(SseStreams.around(testServer)),
    Layer.provide(NodeServices.layer)
  )

export interface RawResponse {
  readonly status: number
  readonly contentType: string
  readonly text: string
  readonly body: unknown
}

/** One request through the test server's HttpClient; the body parsed as JSON when it is JSON. */
export const raw = (
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH",
  url: string,
  options: { readonly body?: string; readonly contentType?: string; readonly headers?: Record<string, string> } = {}
) =>
  Effect.gen(function* () {
    let request = HttpClientRequest.make(method)(url).pipe(HttpClientRequest.setHeaders(options.headers ?? {}))
    if (options.body !== undefined) {
      request = HttpClientRequest.bodyText(request, options.body, options.contentType ?? "application/json")
    }
    const response = yield* HttpClient.execute(request)
    const text = yield* response.text
    const contentType = response.headers["content-type"] ?? ""
    let body: unknown = undefined
    if (contentType.includes("json")) body = JSON.parse(text)
    return { status: response.status, contentType, text, body } satisfies RawResponse
  })
