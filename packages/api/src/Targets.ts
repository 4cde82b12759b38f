/**
 * The body of the bulk routes (/fleet/start|stop|restart|kill): explicit ids, or `all` (every
 * enabled agent for start, every agent otherwise), exactly one of them. The rule is one check on
 * the schema, with its JSON Schema beside it (`oneOf`), so the contract says what is refused.
 */
import { AgentId } from "@agentctl/core/AgentId"
import type { Targets } from "@agentctl/core/Control"
import * as Schema from "effect/Schema"
import { DurationParam } from "./Params.ts"

const fields = {
  ids: Schema.optional(Schema.Array(AgentId)),
  all: Schema.optional(Schema.Boolean)
}

const exactlyOne = Schema.makeFilter(
  (body: { readonly ids?: ReadonlyArray<string> | undefined; readonly all?: boolean | undefined }) => {
    const ids = body.ids ?? []
    const all = body.all === true
    if (all && ids.length > 0) return 'give "ids" or "all": true, not both'
    if (!all && ids.length === 0) return 'give at least one agent id in "ids", or "all": true'
    return undefined
  },
  {
    expected: 'a non-empty "ids" or "all": true, not both',
    toJsonSchema: () => ({
      oneOf: [
        { required: ["ids"], properties: { ids: { type: "array", minItems: 1 } } },
        { required: ["all"], properties: { all: { const: true } } }
      ]
    })
  }
)

export const FleetTargets = Schema.Struct(fields).check(exactlyOne).annotate({ identifier: "FleetTargets" })
export type FleetTargets = typeof FleetTargets.Type

export const FleetStopTargets = Schema.Struct({ ...fields, timeout: Schema.optional(DurationParam) })
  .check(exactlyOne)
  .annotate({ identifier: "FleetStopTargets" })
export type FleetStopTargets = typeof FleetStopTargets.Type

/** The decoded body as core's Targets. */
export const targetsOf = (body: FleetTargets): Targets =>
  body.all === true ? { _tag: "All" } : { _tag: "Ids", ids: body.ids ?? [] }
