import * as Result from "effect/Result"
import { CST, isAlias, isCollection, isMap, isNode, isPair, isScalar, Lexer, parseDocument, type Document } from "yaml"
import { configLimits, lineAt, overflowOffset, tooLargeMessage } from "./configLimits.ts"

/*
 * YAML from files we do not control, read within `configLimits`. The yaml library alone is not
 * enough: an alias bomb makes `toJS` throw (or, with the check off, makes every consumer walk an
 * exponential tree), deep nesting overflows its recursive composer, and `uniqueKeys` is quadratic
 * in the number of keys. So the text is checked in three steps, each stopping at the first limit:
 * its size; its tokens, by the library's lexer (linear, and before anything is built); and the
 * parsed document, by one walk that counts aliases as what they expand to and finds duplicate keys.
 */

/** Why a text is not a usable YAML document: a sentence naming the line or the limit. */
export interface YamlProblem {
  readonly message: string
  /** The document, when the text parsed and only a limit or a duplicate key failed (to name the agent). */
  readonly document: Document.Parsed | undefined
}

const limitMessages = {
  tokens: `more than ${configLimits.yamlTokens} YAML tokens (limit ${configLimits.yamlTokens})`,
  nodes: `more than ${configLimits.yamlNodes} YAML nodes (limit ${configLimits.yamlNodes})`,
  expanded: `aliases expand to more than ${configLimits.yamlNodes} YAML nodes (limit ${configLimits.yamlNodes})`,
  expandedText: `aliases expand to more than ${configLimits.fileBytes} characters of text (limit ${configLimits.fileBytes})`,
  aliases: `more than ${configLimits.yamlAliases} YAML aliases (limit ${configLimits.yamlAliases})`,
  depth: `nested deeper than ${configLimits.nestingDepth} levels (limit ${configLimits.nestingDepth})`
} as const

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

// Markers the lexer inserts that take no room in the source.
const zeroWidth = new Set<string | null>(["doc-mode", "scalar", "flow-error-end"])

/**
 * A pass over the lexer's tokens, which counts what a parse would build: nodes (every scalar,
 * alias and flow collection), aliases, and how deep collections nest. Block nesting is estimated
 * from indentation and compact `- - x` items, never above what the parser will find, so a text this
 * rejects is rejected for what it is, and the document walk later checks the exact depth.
 */
const scanTokens = (text: string): string | undefined => {
  let offset = 0
  let tokens = 0
  let nodes = 0
  let aliases = 0
  let flow = 0
  const indents: Array<number> = []
  let lineStart = true
  let indent = 0
  let compact = 0
  let blockScalar = false
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token)
    const at = offset
    if (!zeroWidth.has(type)) {
      offset += token.length
      // Blank lines, commas and the like build no node, yet each costs the parser as much.
      if (++tokens > configLimits.yamlTokens) return `${limitMessages.tokens} at line ${lineAt(text, at)}`
    }
    switch (type) {
      case "newline":
        lineStart = true
        indent = 0
        compact = 0
        continue
      case "space":
        if (lineStart) indent = token.length
        continue
      case "comment":
      case "byte-order-mark":
      case "doc-mode":
        continue
      case "flow-error-end":
        flow = 0
        continue
      case null:
        // The body of a scalar, after its marker. A block scalar's ends with its line break.
        if (token.endsWith("\n")) {
          lineStart = true
          indent = 0
          compact = 0
        }
        continue
    }
    // A block scalar's body is indented on its own terms: it starts no line of the structure.
    if (lineStart && flow === 0 && !(type === "scalar" && blockScalar)) {
      while (indents.length > 0 && indents[indents.length - 1]! > indent) indents.pop()
      if (indents.length === 0 || indents[indents.length - 1]! < indent) indents.push(indent)
    }
    lineStart = false
    blockScalar = type === "block-scalar-header"
    switch (type) {
      case "seq-item-ind":
      case "explicit-key-ind":
        if (flow === 0) compact++
        break
      case "doc-start":
        indents.length = 0
        continue
      case "flow-map-end":
      case "flow-seq-end":
        flow = Math.max(0, flow - 1)
        continue
      case "flow-map-start":
      case "flow-seq-start":
        flow++
        break
      case "alias":
        if (++aliases > configLimits.yamlAliases) return `${limitMessages.aliases} at line ${lineAt(text, at)}`
        break
      case "scalar":
      case "single-quoted-scalar":
      case "double-quoted-scalar":
        break
      default:
        continue
    }
    if (type !== "seq-item-ind" && type !== "explicit-key-ind" && ++nodes > configLimits.yamlNodes) {
      return `${limitMessages.nodes} at line ${lineAt(text, at)}`
    }
    if (indents.length + Math.max(0, compact - 1) + flow > configLimits.nestingDepth) {
      return `${limitMessages.depth} at line ${lineAt(text, at)}`
    }
  }
  return undefined
}

interface Measure {
  /** Nodes, with aliases expanded. */
  readonly size: number
  /** Characters of its scalars' source, with aliases expanded. */
  readonly chars: number
  /** Collections nested in this node, itself included. */
  readonly height: number
}

interface Walk {
  readonly text: string
  nodes: number
  chars: number
  aliases: number
  readonly anchors: Map<string, unknown>
  /** Anchored nodes whose walk is complete; one still open when its alias is met contains that alias. */
  readonly measured: Map<unknown, Measure>
}

const lineOf = (walk: Walk, node: unknown): string =>
  isNode(node) && node.range ? ` at line ${lineAt(walk.text, node.range[0])}` : ""

const noKey = Symbol("noKey")

/** What two keys are compared by, as the yaml library's `uniqueKeys` does: a scalar's value. */
const keyIdentity = (walk: Walk, key: unknown): unknown => {
  const node = isAlias(key) ? walk.anchors.get(key.source) : key
  return isScalar(node) ? node.value : noKey
}

const quoteKey = (value: unknown): string => {
  const text = JSON.stringify(String(value))
  return text.length > 42 ? `${text.slice(0, 40)}…"` : text
}

/** The document's tree, walked once in document order (the order anchors are defined in). */
const measure = (walk: Walk, node: unknown, depth: number): Measure | string => {
  if (isAlias(node)) {
    if (++walk.aliases > configLimits.yamlAliases) return limitMessages.aliases + lineOf(walk, node)
    const target = walk.anchors.get(node.source)
    if (target === undefined)
      return `alias *${node.source}${lineOf(walk, node)} has no anchor &${node.source} before it`
    const known = walk.measured.get(target)
    if (known === undefined) return `alias *${node.source}${lineOf(walk, node)} is inside the node it names`
    walk.nodes += known.size
    if (walk.nodes > configLimits.yamlNodes) return limitMessages.expanded + lineOf(walk, node)
    // A few aliases of one long string are few nodes, yet as much text as the file many times over.
    walk.chars += known.chars
    if (walk.chars > configLimits.fileBytes) return limitMessages.expandedText + lineOf(walk, node)
    if (depth + known.height > configLimits.nestingDepth) return limitMessages.depth + lineOf(walk, node)
    return known
  }
  // A key without a value (`? key`) has no node there.
  if (!isNode(node)) return { size: 0, chars: 0, height: 0 }
  if (node.anchor !== undefined) walk.anchors.set(node.anchor, node)
  if (++walk.nodes > configLimits.yamlNodes) return limitMessages.nodes + lineOf(walk, node)
  const span = node.range ? node.range[1] - node.range[0] : 0
  let result: Measure = { size: 1, chars: span, height: 0 }
  if (isScalar(node)) walk.chars += span
  if (isCollection(node)) {
    if (depth + 1 > configLimits.nestingDepth) return limitMessages.depth + lineOf(walk, node)
    const keys = isMap(node) ? new Map<unknown, unknown>() : undefined
    let size = 1
    let chars = 0
    let height = 0
    for (const item of node.items) {
      const parts = isPair(item) ? [item.key, item.value] : [item]
      for (const part of parts) {
        const m = measure(walk, part, depth + 1)
        if (typeof m === "string") return m
        size += m.size
        chars += m.chars
        height = Math.max(height, m.height)
      }
      if (keys !== undefined && isPair(item)) {
        const id = keyIdentity(walk, item.key)
        if (id === noKey) continue
        const first = keys.get(id)
        if (first !== undefined) {
          return `duplicate key ${quoteKey(id)}${lineOf(walk, item.key)} (first${lineOf(walk, first)})`
        }
        keys.set(id, item.key)
      }
    }
    result = { size, chars, height: height + 1 }
  }
  if (node.anchor !== undefined) walk.measured.set(node, result)
  return result
}

const fail = (message: string, document?: Document.Parsed): Result.Result<never, YamlProblem> =>
  Result.fail({ message, document })

const firstLine = (message: string): string => (message.split("\n")[0] ?? message).replace(/:$/, "")

/**
 * The YAML document in `text`, or the first problem: over a limit, a syntax error (with line and
 * column), a duplicate key, an alias to nothing. Never throws; costs time linear in the text.
 */
export const readYamlDocument = (text: string): Result.Result<Document.Parsed, YamlProblem> => {
  if (overflowOffset(text, configLimits.fileBytes) !== undefined) return fail(tooLargeMessage)
  try {
    const scanned = scanTokens(text)
    if (scanned !== undefined) return fail(scanned)
    // Duplicate keys are found by the walk below: the library's own check is quadratic.
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false })
    const first = doc.errors[0]
    if (first?.code === "MULTIPLE_DOCS") {
      return fail(`a second YAML document starts at line ${lineAt(text, first.pos[0])}; a config file holds one`)
    }
    // prettyErrors puts "at line L, column C" into the first line of the message
    if (first !== undefined) return fail(firstLine(first.message))
    const walked = measure(
      { text, nodes: 0, chars: 0, aliases: 0, anchors: new Map(), measured: new Map() },
      doc.contents,
      0
    )
    if (typeof walked === "string") return fail(walked, doc)
    return Result.succeed(doc)
  } catch (error) {
    // The library throws on input it cannot handle; that is this text's problem, not the caller's.
    return fail(`cannot read the YAML: ${firstLine(describe(error))}`)
  }
}

/** A checked document as plain data: maps, arrays and scalars, aliases shared, never expanded. */
export const documentValue = (doc: Document.Parsed): Result.Result<unknown, string> => {
  try {
    // The walk bounded what aliases expand to; the library's own count would refuse other files.
    return Result.succeed(doc.toJS({ maxAliasCount: -1 }))
  } catch (error) {
    return Result.fail(`cannot read the YAML: ${firstLine(describe(error))}`)
  }
}
