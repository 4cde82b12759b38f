/**
 * The schemas the API shares are named components of its OpenAPI document (one `AgentRow`, not
 * the row repeated inline per route), and an agent id's rule reaches the document whole: the
 * names and the pattern are what generated clients and testers read.
 */
import { assert, describe, it } from "@effect/vitest"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { AgentId, agentIdRule, isAgentId } from "../src/AgentId.ts"
import { AgentRow, Supervisor } from "../src/AgentRow.ts"
import {
  KillOutcome,
  ReloadOutcome,
  RestartOutcome,
  StartOutcome,
  StopOutcome,
  ToggleOutcome
} from "../src/Outcomes.ts"
import { ExitInfo, Status, StatusName } from "../src/Status.ts"

const named: ReadonlyArray<readonly [string, Schema.Top]> = [
  ["AgentId", AgentId],
  ["AgentRow", AgentRow],
  ["Supervisor", Supervisor],
  ["StartOutcome", StartOutcome],
  ["StopOutcome", StopOutcome],
  ["KillOutcome", KillOutcome],
  ["RestartOutcome", RestartOutcome],
  ["ToggleOutcome", ToggleOutcome],
  ["ReloadOutcome", ReloadOutcome],
  ["ExitInfo", ExitInfo],
  ["Status", Status],
  ["StatusName", StatusName]
]

const [first, ...rest] = named.map(([name, schema]) => HttpApiEndpoint.get(name, `/${name}`, { success: schema }))
const doc = OpenApi.fromApi(HttpApi.make("names").add(HttpApiGroup.make("g").add(first!, ...rest)))
const components = doc.components.schemas as Record<string, Record<string, unknown>>

describe("schemas named in the OpenAPI document", () => {
  it.each(named)("%s is a component", (name) => {
    assert.isDefined(components[name], `${name} in ${Object.keys(components).join(", ")}`)
  })

  it("an agent id's rule reaches the document: pattern, length and description", () => {
    assert.deepInclude(components["AgentId"], {
      type: "string",
      maxLength: 63,
      pattern: "^[a-z0-9](?:[a-z0-9_-]|\\.[a-z0-9_-])*\\.?$",
      description: "1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, with no '..'"
    })
  })
})

describe("agent ids", () => {
  it.each<[string, boolean]>([
    ["a", true],
    ["a.b", true],
    ["a.", true],
    ["a-b_c.d9", true],
    ["x".repeat(63), true],
    ["x".repeat(64), false],
    ["a..b", false],
    [".a", false],
    ["-a", false],
    ["a/", false],
    ["a.-", true],
    ["a./", false],
    ["A", false],
    ["", false]
  ])("%j: %s", (id, ok) => {
    assert.strictEqual(isAgentId(id), ok)
    assert.strictEqual(Result.isSuccess(Schema.decodeUnknownResult(AgentId)(id)), ok)
  })

  it("a refused id is told the rule, whichever check refused it", () => {
    for (const id of ["x".repeat(64), "a..b"]) {
      const decoded = Schema.decodeUnknownResult(AgentId)(id)
      assert.isTrue(Result.isFailure(decoded) && String(decoded.failure).includes(agentIdRule), id)
    }
  })
})
