/**
 * `depends_on:` in an agent's config: which agents must be up first, and how far up. Written
 * `{ db: ready }` or `{ db: { condition: ready, restart: true, timeout: 2m } }`; decoded to the
 * long form either way.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { isAgentId } from "./AgentId.ts"
import { DurationMs } from "./configFields.ts"
import { withDefault } from "./withDefault.ts"

/**
 * `started`: its process runs; `ready`: its readiness probe passed (or it runs, without one);
 * `completed`: it exited 0 (a migration, a build step).
 */
export const DependencyCondition = Schema.Literals(["started", "ready", "completed"])
export type DependencyCondition = typeof DependencyCondition.Type

/** How long a start waits for a dependency's condition before it fails naming the dependency. */
export const defaultDependencyTimeout = "60s"

export const Dependency = Schema.Struct({
  condition: withDefault(DependencyCondition, "started"),
  /** Restart this agent when the dependency restarts (off by default, as in docker compose). */
  restart: withDefault(Schema.Boolean, false),
  timeout: withDefault(DurationMs, defaultDependencyTimeout)
})
export type Dependency = typeof Dependency.Type

const ShortDependency = DependencyCondition.pipe(
  Schema.decodeTo(
    Dependency,
    SchemaTransformation.transformEffect({
      decode: (condition: DependencyCondition) =>
        Effect.succeed({ condition, restart: false, timeout: defaultDependencyTimeout }),
      encode: (d: typeof Dependency.Encoded) => Effect.succeed(d.condition ?? "started")
    })
  )
)

// A Record keyed by AgentId would drop a key that is not an id without a word: checked here instead.
export const DependsOn = Schema.Record(Schema.String, Schema.Union([ShortDependency, Dependency])).check(
  Schema.makeFilter((deps: object) => {
    const bad = Object.keys(deps).filter((id) => !isAgentId(id))
    return bad.length === 0 ? undefined : `not an agent id: ${bad.map((id) => JSON.stringify(id)).join(", ")}`
  })
)
export type DependsOn = typeof DependsOn.Type
