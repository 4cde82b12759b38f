/**
 * The contract against the server, the way a schema-driven fuzzer (schemathesis) tests it: read
 * /openapi.json's parameters, generate values the document says are valid (its patterns, enums
 * and array bounds), send them, and expect no 400: a spec-valid request the server rejects means
 * the document is looser than the server. Unknown agents (404) and conflicts (409) are fine.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Control } from "@agentctl/core/Control"
import * as Effect from "effect/Effect"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import * as http from "node:http"
import { Api } from "../src/Api.ts"
import { agentYaml, apiServer, cleanup, memoryFleet, serverPort, tempDir } from "./harness.ts"

/** A JSON Schema object as the document holds it. */
type Json = { readonly [key: string]: unknown }
const isJson = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const text = (schema: Json, key: string): string | undefined => {
  const value = schema[key]
  return typeof value === "string" ? value : undefined
}

const spec = OpenApi.fromApi(Api)
const components: Readonly<Record<string, Json>> = spec.components.schemas

const resolveRef = (schema: Json): Json => {
  const ref = text(schema, "$ref")
  return ref === undefined ? schema : resolveRef(components[ref.replace("#/components/schemas/", "")] ?? {})
}

/** Strings a string schema's pattern and length bounds admit. */
const matching = (schema: Json): fc.Arbitrary<string> => {
  const max = typeof schema["maxLength"] === "number" ? schema["maxLength"] : Infinity
  const min = typeof schema["minLength"] === "number" ? schema["minLength"] : 0
  return fc
    .stringMatching(new RegExp(text(schema, "pattern") ?? "", "u"))
    .filter((s) => s.length >= min && s.length <= max)
}

/** Values `raw` admits, as the strings a request carries. */
const values = (raw: unknown): fc.Arbitrary<string | ReadonlyArray<string>> => {
  const schema = resolveRef(isJson(raw) ? raw : {})
  const choices = schema["enum"]
  if (Array.isArray(choices)) return fc.constantFrom(...choices.map(String))
  const items = schema["items"]
  if (schema["type"] === "array" && isJson(items)) {
    const item = values(items).filter((v): v is string => typeof v === "string")
    return fc.array(item, { minLength: 1, maxLength: 3 })
  }
  if (schema["type"] === "string" && text(schema, "pattern") !== undefined) return matching(schema)
  // A plain string: anything goes, which is what a looser document promises.
  return fc.string({ maxLength: 20 })
}

/** The agents of the test fleet, so some requests reach a real agent, not only 404s. */
const known = fc.constantFrom("a1", "a2", "off")

const agentIdSchema = resolveRef({ $ref: "#/components/schemas/AgentId" })
const stopTimeout = resolveRef({ $ref: "#/components/schemas/FleetStopTargets" })["properties"]
const timeoutVariants = isJson(stopTimeout) && isJson(stopTimeout["timeout"]) ? stopTimeout["timeout"]["anyOf"] : []
const timeoutPattern = (Array.isArray(timeoutVariants) ? timeoutVariants : [])
  .filter(isJson)
  .map((variant) => text(variant, "pattern"))
  .find((pattern) => pattern !== undefined)

/** Bodies of the /fleet routes the document admits: ids or all, and for stop and restart a timeout. */
const fleetBody = (withTimeout: boolean) =>
  fc
    .record({
      targets: fc.oneof(
        fc.record({
          ids: fc.array(fc.oneof(known, matching(agentIdSchema)), {
            minLength: 1,
            maxLength: 3
          })
        }),
        fc.constant({ all: true })
      ),
      timeout:
        withTimeout && timeoutPattern !== undefined
          ? fc.option(fc.stringMatching(new RegExp(timeoutPattern, "u")), { nil: undefined })
          : fc.constant(undefined)
    })
    .map(({ targets, timeout }) => JSON.stringify(timeout === undefined ? targets : { ...targets, timeout }))

/**
 * Bodies of POST /apply the document admits. Always a dry run: a real one would start the test
 * fleet's agents, and `dry_run` is decoded by the same schema as the rest of the body.
 */
const applyBody = fc
  .record(
    {
      ids: fc.array(fc.oneof(known, matching(agentIdSchema)), { maxLength: 3 }),
      parallel: fc.integer({ min: 1, max: 256 })
    },
    { requiredKeys: [] }
  )
  .map((body) => JSON.stringify({ ...body, dry_run: true }))

/** Daemonless has no reload (a UsageError); the launcher, which serves the API, always has one. */
const reloading = Layer.effect(
  Control,
  Effect.map(Effect.service(Control), (base) =>
    Control.of({
      ...base,
      reload: Effect.succeed({ started: [], stopped: [], restarted: [], unchanged: [], invalid: [] })
    })
  )
)

interface Sample {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string | undefined
}

const operations = Object.entries(spec.paths).flatMap(([template, item]) =>
  Object.entries(item).flatMap(([method, operation]) => {
    if (typeof operation !== "object" || operation === null || !("parameters" in operation)) return []
    return [{ template, method: method.toUpperCase(), parameters: operation.parameters }]
  })
)

const samples = (op: (typeof operations)[number], count: number, seed: number): ReadonlyArray<Sample> => {
  const byName = Object.fromEntries(
    op.parameters.map((p) => {
      const arb = p.in === "path" && p.name === "id" ? fc.oneof(known, values(p.schema)) : values(p.schema)
      return [p.name, p.required ? arb : fc.option(arb, { nil: undefined })]
    })
  )
  const bodies = op.template.startsWith("/fleet/")
    ? fleetBody(op.template === "/fleet/stop" || op.template === "/fleet/restart")
    : op.template === "/apply"
      ? applyBody
      : fc.constant(undefined)
  return fc
    .sample(fc.record({ params: fc.record(byName), body: bodies }), { numRuns: count, seed })
    .map(({ params, body }) => {
      let path = op.template
      const query = new URLSearchParams()
      const headers: Record<string, string> = {}
      for (const p of op.parameters) {
        const value = params[p.name]
        if (value === undefined) continue
        if (p.in === "path") path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)))
        else if (p.in === "header") headers[p.name] = String(value)
        else for (const v of typeof value === "string" ? [value] : value) query.append(p.name, v)
      }
      const search = query.toString()
      return { method: op.method, path: search === "" ? path : `${path}?${search}`, headers, body }
    })
}

/** The status alone: streams (a followed log, /events) are hung up on once it is known. */
const statusOf = (port: number, sample: Sample) =>
  Effect.promise(
    () =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port,
            method: sample.method,
            path: sample.path,
            headers:
              sample.body === undefined ? sample.headers : { ...sample.headers, "content-type": "application/json" }
          },
          (res) => {
            resolve(res.statusCode ?? 0)
            res.destroy()
          }
        )
        req.on("error", reject).end(sample.body)
      })
  )

describe("the OpenAPI document is as strict as the server", () => {
  afterAll(cleanup)

  it.live("no request the document calls valid is answered 400", () =>
    Effect.gen(function* () {
      const port = yield* serverPort
      const rejected: Array<string> = []
      let sent = 0
      for (const [i, op] of operations.entries()) {
        // /build would run the fleet's build command; its one parameter is AgentId's, tested here anyway.
        if (op.template === "/build") continue
        for (const sample of samples(op, 25, 1000 + i)) {
          const status = yield* statusOf(port, sample)
          sent++
          if (status === 400 || status >= 500)
            rejected.push(`${status} ${sample.method} ${sample.path} ${sample.body ?? ""}`)
        }
      }
      assert.isAbove(sent, 300)
      assert.deepStrictEqual(rejected, [])
    }).pipe(
      Effect.provide(
        apiServer({
          fleet: memoryFleet({
            "agents/a1/config.yaml": agentYaml("a1"),
            "agents/a2/config.yaml": agentYaml("a2"),
            "agents/off/config.yaml": agentYaml("off", "", false)
          }),
          dataRoot: tempDir(),
          control: reloading
        })
      )
    )
  )
})
