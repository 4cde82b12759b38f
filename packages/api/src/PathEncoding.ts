/**
 * A path whose percent-encoding is malformed (`/agents/%E0%A4%A/start`) reaches no route: the
 * router cannot decode it, and would call it an unknown route. It is a bad request instead, and
 * this finds the route it was meant for and the path parameter that holds the bad bytes.
 */
import * as HttpApi from "effect/http-api/HttpApi"
import { Api } from "./Api.ts"

interface Template {
  readonly method: string
  readonly segments: ReadonlyArray<string>
}

const decodes = (segment: string): boolean => {
  try {
    decodeURIComponent(segment)
    return true
  } catch {
    // URIError: a `%` not followed by two hex digits, or bytes that are not UTF-8.
    return false
  }
}

let templates: ReadonlyArray<Template> | undefined
/** Every route of the contract, split at `/`; built on first use (a malformed path is rare). */
const routeTemplates = (): ReadonlyArray<Template> => {
  if (templates !== undefined) return templates
  const list: Array<Template> = []
  HttpApi.reflect(Api, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => void list.push({ method: endpoint.method, segments: endpoint.path.split("/") })
  })
  templates = list
  return list
}

/**
 * null when every segment of `path` decodes. Otherwise `param` names the path parameter that
 * does not, in the route of `method` whose literal segments match; undefined when none matches.
 */
export const malformedPath = (method: string, path: string): { readonly param: string | undefined } | null => {
  const segments = path.split("/")
  const bad = segments.map((s) => !decodes(s))
  if (!bad.includes(true)) return null
  for (const template of routeTemplates()) {
    if (template.method !== method || template.segments.length !== segments.length) continue
    const fits = template.segments.every((t, i) => t.startsWith(":") || (t === segments[i] && !bad[i]))
    const param = template.segments.find((t, i) => t.startsWith(":") && bad[i])
    if (fits && param !== undefined) return { param: param.slice(1) }
  }
  return { param: undefined }
}
