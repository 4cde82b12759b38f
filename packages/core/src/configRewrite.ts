import * as Result from "effect/Result"
import { isAlias, isMap, isNode, isScalar, type Pair, type YAMLMap } from "yaml"
import { readYamlDocument } from "./boundedYaml.ts"

/**
 * `agentctl enable|disable` edits a file the user wrote. Re-serialising the YAML would reflow it and drop
 * comments, so the parser only finds where `agent.enabled` is, and the edit is a splice of the original
 * text: every other byte stays as it was.
 */

export type RewriteResult =
  | { readonly _tag: "Ok"; readonly text: string; readonly changed: boolean }
  | { readonly _tag: "Error"; readonly message: string }

const error = (message: string): RewriteResult => ({ _tag: "Error", message })

const findPair = (map: YAMLMap, key: string): Pair | undefined =>
  map.items.find((p) => isScalar(p.key) && p.key.value === key)

const range = (node: unknown): readonly [number, number, number] | undefined =>
  isNode(node) ? (node.range ?? undefined) : undefined

const lineStart = (text: string, offset: number): number => text.lastIndexOf("\n", offset - 1) + 1

/** Finds `agent:` and, in it, `enabled:`, or explains why the file has no place for it. */
const locate = (text: string): { readonly agent: YAMLMap; readonly enabled: Pair | undefined } | string => {
  // The config loader's reader, limits and all, so both read the file the same way.
  const read = readYamlDocument(text)
  if (Result.isFailure(read)) return `invalid YAML: ${read.failure.message}`
  const root = read.success.contents
  const agent = isMap(root) ? findPair(root, "agent")?.value : undefined
  if (!isMap(agent)) return "no `agent:` mapping in the file"
  return { agent, enabled: findPair(agent, "enabled") }
}

const replaceScalar = (text: string, start: number, end: number, literal: string): string => {
  // A block scalar's range takes its final line break: keep it, or the next key would join this line.
  let stop = end
  if (stop > start && text[stop - 1] === "\n") stop--
  if (stop > start && text[stop - 1] === "\r") stop--
  if (start < stop) return text.slice(0, start) + literal + text.slice(stop)
  // `enabled:` with no value: an empty range after the colon and any blanks. Blanks at the end of
  // the line go; before a comment or a flow `}` one stays, as `true# why` would be a string.
  let from = start
  while (text[from - 1] === " " || text[from - 1] === "\t") from--
  const next = text[stop]
  const lineEnd = next === undefined || next === "\n" || next === "\r"
  const gap = next === "#" || (from < start && !lineEnd) ? " " : ""
  return `${text.slice(0, from)} ${literal}${gap}${text.slice(stop)}`
}

const insertIntoBlock = (text: string, agent: YAMLMap, literal: string): string | null => {
  const firstKey = range(agent.items[0]?.key)
  const end = agent.range?.[1]
  if (firstKey === undefined || end === undefined) return null
  const indent = " ".repeat(firstKey[0] - lineStart(text, firstKey[0]))
  const eol = text.includes("\r\n") ? "\r\n" : "\n"
  const line = `${indent}enabled: ${literal}`
  // A block map's range ends after its last line break, or at the end of a file that has none.
  if (end > 0 && text[end - 1] === "\n") return text.slice(0, end) + line + eol + text.slice(end)
  const next = text.indexOf("\n", end)
  return next === -1 ? text + eol + line : text.slice(0, next + 1) + line + eol + text.slice(next + 1)
}

const insertIntoFlow = (text: string, agent: YAMLMap, literal: string): string | null => {
  const last = agent.items[agent.items.length - 1]
  if (last === undefined) {
    const open = agent.range?.[0]
    if (open === undefined || text[open] !== "{") return null
    const padding = text[open + 1] === "}" ? " " : ""
    return `${text.slice(0, open + 1)} enabled: ${literal}${padding}${text.slice(open + 1)}`
  }
  const end = range(last.value ?? last.key)?.[1]
  if (end === undefined) return null
  return `${text.slice(0, end)}, enabled: ${literal}${text.slice(end)}`
}

/**
 * Sets `agent.enabled` in a config file's text: replaces the value if present (whatever its style:
 * `yes`, `"true"`, `~`), else adds it to `agent:` in that mapping's own style. The result is re-parsed
 * and checked, so an edit the splice cannot get right is an error, never a corrupted file.
 */
export const setAgentEnabled = (text: string, enabled: boolean): RewriteResult => {
  const found = locate(text)
  if (typeof found === "string") return error(found)
  const { agent, enabled: pair } = found
  const literal = String(enabled)

  let next: string | null
  if (pair === undefined) {
    next = agent.flow === true ? insertIntoFlow(text, agent, literal) : insertIntoBlock(text, agent, literal)
  } else {
    const value = pair.value
    if (value === null) {
      // `? enabled` (explicit key, no value) is the only way to get here; `enabled:` gives a null scalar.
      return error("agent.enabled has no value to replace; edit it by hand")
    }
    if (isAlias(value)) return error(`agent.enabled is an alias (*${value.source}), not a value; edit it by hand`)
    if (!isScalar(value)) return error("agent.enabled is a mapping or a list, not true or false; edit it by hand")
    if (value.value === enabled) return { _tag: "Ok", text, changed: false }
    if (value.tag !== undefined && value.tag !== "tag:yaml.org,2002:bool") {
      return error(
        `agent.enabled has the explicit tag ${value.tag.replace(/^tag:yaml\.org,2002:/, "!!")}; edit it by hand`
      )
    }
    const r = range(value)
    next = r === undefined ? null : replaceScalar(text, r[0], r[1], literal)
  }

  // Re-read the result: a splice the parser reads differently must not reach the user's file.
  const check = next === null ? null : locate(next)
  const now = check === null || typeof check === "string" ? undefined : check.enabled?.value
  if (next === null || !isScalar(now) || now.value !== enabled) {
    return error("could not write agent.enabled into this file safely; edit it by hand")
  }
  return { _tag: "Ok", text: next, changed: true }
}
