import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { agentEnv, fleetEnvLayers } from "../src/AgentEnv.ts"
import { loadFleet } from "../src/FleetLoader.ts"
import * as MemoryFleet from "../src/testing/MemoryFleet.ts"

const config = (id: string, env = "") => `agent:\n  id: ${id}\nrun:\n  command: worker\n${env}`

/** The merged environment of agent `id`, as [key, value, source]. */
const envOf = (id: string) =>
  Effect.gen(function* () {
    const fleet = yield* loadFleet()
    const merged = yield* agentEnv(fleet.settings, fleet.agents.get(id)!)
    return merged.map((e) => [e.key, e.value, e.source])
  })

describe("agentEnv", () => {
  it.effect("host < fleet .env < agent .env < run.env < the marker, each variable naming its source", () =>
    envOf("a").pipe(
      Effect.map((env) =>
        assert.deepStrictEqual(env, [
          ["AGENTCTL_AGENT", "a", "agentctl"],
          ["AGENTCTL_FLEET", MemoryFleet.fakeRoot, "agentctl"],
          ["FROM_AGENT", "agent", "agent .env"],
          ["FROM_FLEET", "fleet", "fleet .env"],
          ["FROM_HOST", "host", "host"],
          ["LEVEL", "run", "run.env"]
        ])
      ),
      Effect.provide(
        MemoryFleet.makeLayer(
          {
            ".env": "FROM_FLEET=fleet\nLEVEL=fleet\n",
            "agents/a/.env": "FROM_AGENT=agent\nLEVEL=agent\nAGENTCTL_AGENT=forged\n",
            "agents/a/config.yaml": config("a", "  env: { LEVEL: run, AGENTCTL_FLEET: forged }\n")
          },
          { FROM_HOST: "host", LEVEL: "host" }
        )
      )
    )
  )

  it.effect("a fleet env_file that is the agent's own .env is read once, as the fleet's", () =>
    envOf("a").pipe(
      Effect.map((env) =>
        assert.deepStrictEqual(
          env.filter(([k]) => k === "X"),
          [["X", "1", "fleet .env"]]
        )
      ),
      Effect.provide(
        MemoryFleet.makeLayer({
          "agentctl.yaml": "env_file: agents/a/.env\n",
          "agents/a/.env": "X=1\n",
          "agents/a/config.yaml": config("a")
        })
      )
    )
  )

  it.effect("a malformed line is an error naming the file and the line", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(envOf("a"))
      const file = `${MemoryFleet.fakeRoot}/agents/a/.env`
      assert.deepStrictEqual(
        [error._tag, error._tag === "ConfigInvalid" && error.file, error.message.startsWith(`${file}:2: `)],
        ["ConfigInvalid", file, true]
      )
    }).pipe(
      Effect.provide(
        MemoryFleet.makeLayer({ "agents/a/.env": "OK=1\nnot a variable\n", "agents/a/config.yaml": config("a") })
      )
    )
  )

  it.effect("builds see the host and the fleet .env, in that order; no .env is no variables", () =>
    Effect.gen(function* () {
      const fleet = yield* loadFleet()
      const layers = yield* fleetEnvLayers(fleet.settings)
      assert.deepStrictEqual(layers, [
        { source: "host", vars: { H: "1" } },
        { source: "fleet .env", vars: {} }
      ])
    }).pipe(Effect.provide(MemoryFleet.makeLayer({}, { H: "1" })))
  )
})
