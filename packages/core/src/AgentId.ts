import * as Schema from "effect/Schema"

/**
 * An agent id names files (`run/<id>.pid`, `run/<id>.log`, `data/<id>/`), so it is
 * restricted to a shape that can never climb out of a folder (`..`, `/`) or hide (`.x`).
 */
export const AgentIdPattern = /^[a-z0-9][a-z0-9._-]{0,62}$/

/** What an agent id may be, as a sentence (the schema's message, and the CLI's). */
export const agentIdRule =
  "an agent id is 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"

export const AgentId = Schema.String.pipe(Schema.check(Schema.isPattern(AgentIdPattern, { message: agentIdRule })))
export type AgentId = typeof AgentId.Type

export const isAgentId = (s: string): boolean => AgentIdPattern.test(s) && !s.includes("..")
