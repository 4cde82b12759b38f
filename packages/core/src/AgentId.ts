import * as Schema from "effect/Schema"

/**
 * An agent id names files (`run/<id>.pid`, `run/<id>.log`, `data/<id>/`), so it is
 * restricted to a shape that can never climb out of a folder (`..`, `/`) or hide (`.x`).
 */
// The `u` flag makes it an ECMA-262 Unicode pattern, the dialect JSON Schema uses, so the same
// pattern reaches the OpenAPI document. No ".." anywhere (every "." is followed by another character, or ends the id): an id cannot
// climb out of a folder anyway (it has no "/"), but nothing that names files should look like it
// might. No lookahead, so tools that generate values from the OpenAPI pattern can use it; the
// length is its own check (maxLength in the document).
export const AgentIdPattern = /^[a-z0-9](?:[a-z0-9_-]|\.[a-z0-9_-])*\.?$/u
export const agentIdMaxLength = 63

/** What an agent id may be, as a sentence (the schema's message, and the CLI's). */
export const agentIdRule =
  "an agent id is 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, with no '..'"

export const AgentId = Schema.String.pipe(
  Schema.check(
    Schema.isMaxLength(agentIdMaxLength, { message: agentIdRule }),
    Schema.isPattern(AgentIdPattern, { message: agentIdRule })
  )
).annotate({
  identifier: "AgentId",
  description: "1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, with no '..'"
})
export type AgentId = typeof AgentId.Type

/** The schema's check without loading Schema's decoder. */
export const isAgentId = (s: string): boolean => s.length <= agentIdMaxLength && AgentIdPattern.test(s)
