import { Fleet } from "@agentctl/core/Fleet"
import { loadFleet } from "@agentctl/core/FleetLoader"
import * as NodePath from "@effect/platform-node/NodePath"
import { afterEach, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { cacheFile } from "../src/configCache.ts"
import * as NodeConfigSource from "../src/NodeConfigSource.ts"
import * as NodeFleetCache from "../src/NodeFleetCache.ts"
import { cleanup, tempDir } from "./support.ts"

/** Every key an agent config can have, so a cached entry is proved equal to a parsed one field by field. */
const everyKey = `agent:
  id: full
  name: Full
  version: 2.0.0
  description: every key
  enabled: true
run:
  command: node
  args: [worker.js, --flag]
  cwd: .
  env: { A: "1", EMPTY: "" }
  env_file: .env.local
  stop_signal: SIGINT
  stop_timeout: 3s
  restart: always
  max_memory: 256MiB
  logs: { max_size: 64KiB, keep: 2 }
health:
  startup: { tcp: "127.0.0.1:5432", period: 500ms, failure_threshold: 30 }
  liveness: { http: "http://127.0.0.1:8080/healthz", status: 204, timeout: 2s, initial_delay: 1s }
  readiness: { log: "listening on port \\\\d+", success_threshold: 2 }
notify: true
depends_on:
  db: { condition: ready, restart: true, timeout: 30s }
`
const db = "agent:\n  id: db\nrun:\n  command: sleep\n  args: ['600']\nhealth:\n  readiness: { exec: [true] }\n"

const fleetIn = (root: string) => {
  mkdirSync(join(root, "agents", "full"), { recursive: true })
  mkdirSync(join(root, "agents", "db"), { recursive: true })
  mkdirSync(join(root, "agents", "bad"), { recursive: true })
  writeFileSync(join(root, "agents", "full", "config.yaml"), everyKey)
  writeFileSync(join(root, "agents", "db", "config.yaml"), db)
  writeFileSync(join(root, "agents", "bad", "config.yaml"), "agent: [not, a, mapping\n")
}

const layers = (root: string, cached: boolean) =>
  Layer.mergeAll(
    Layer.succeed(Fleet, Fleet.of({ root, hostEnv: {} })),
    NodeConfigSource.layer(root),
    NodePath.layer,
    cached ? NodeFleetCache.layer(root) : Layer.empty
  )

const load = (root: string, cached = true) => loadFleet().pipe(Effect.provide(layers(root, cached)))

describe("NodeFleetCache", () => {
  afterEach(cleanup)

  it.effect("a miss writes run/.configs.json; the hit after it is the parsed fleet, field by field", () =>
    Effect.gen(function* () {
      const root = tempDir()
      fleetIn(root)
      const parsed = yield* load(root, false)
      assert.deepStrictEqual(
        parsed.entries.map((e) => e._tag),
        ["Invalid", "Valid", "Valid"]
      )
      yield* load(root)
      assert.include(readFileSync(cacheFile(root), "utf8"), '"id":"full"')
      const fromCache = yield* load(root)
      assert.deepStrictEqual(fromCache.entries, parsed.entries)
      assert.deepStrictEqual([...fromCache.agents], [...parsed.agents])
      // And it did come from the cache: what the file says is what a hit gives.
      writeFileSync(cacheFile(root), readFileSync(cacheFile(root), "utf8").replace('"name":"Full"', '"name":"Cached"'))
      assert.strictEqual((yield* load(root)).agents.get("full")?.config.agent.name, "Cached")
    })
  )

  it.effect("an edit, a new file or a removed one is a miss: the files are parsed again", () =>
    Effect.gen(function* () {
      const root = tempDir()
      fleetIn(root)
      yield* load(root)
      const file = join(root, "agents", "db", "config.yaml")
      // Same size, new content and mtime: still a miss.
      writeFileSync(file, db.replace("600", "601"))
      utimesSync(file, new Date(), new Date(Date.now() + 5000))
      assert.deepStrictEqual((yield* load(root)).agents.get("db")?.config.run.args, ["601"])
      mkdirSync(join(root, "agents", "new"))
      writeFileSync(join(root, "agents", "new", "config.yaml"), "agent:\n  id: new\nrun:\n  command: sleep\n")
      assert.isTrue((yield* load(root)).agents.has("new"))
      rmSync(join(root, "agents", "new"), { recursive: true })
      assert.isFalse((yield* load(root)).agents.has("new"))
    })
  )

  it.effect("a corrupt cache is a miss, and a read-only run/ does not fail the load", () =>
    Effect.gen(function* () {
      const root = tempDir()
      fleetIn(root)
      mkdirSync(join(root, "run"))
      writeFileSync(cacheFile(root), "{ not json")
      assert.isTrue((yield* load(root)).agents.has("full"))
      rmSync(join(root, "run"), { recursive: true })
      writeFileSync(join(root, "run"), "a file where run/ should be")
      assert.isTrue((yield* load(root)).agents.has("full"))
    })
  )
})
