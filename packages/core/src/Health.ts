import * as Schema from "effect/Schema"

/**
 * The health dimension of a running agent, beside its process state: `starting` until its
 * startup probe passed and its readiness probe first passed, `ready` after, `unhealthy` while
 * its liveness (or, once ready, readiness) probe fails. Null for an agent without probes: a
 * dependency on it being `ready` is met as soon as it runs.
 */
export const HealthName = Schema.Literals(["starting", "ready", "unhealthy"]).annotate({ identifier: "HealthName" })
export type HealthName = typeof HealthName.Type
