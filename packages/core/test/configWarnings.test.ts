import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Path from "effect/Path"
import { parseAgentConfig } from "../src/ConfigFile.ts"
import { commandPath, shadowedKeys } from "../src/configWarnings.ts"

describe("shadowedKeys", () => {
  it.each<[string, Record<string, string>, Record<string, string>, Record<string, string>, ReadonlyArray<string>]>([
    ["no overlap", { A: "1" }, { B: "2" }, {}, []],
    [
      "run.env over the fleet .env",
      { A: "1" },
      { A: "2" },
      {},
      ["run.env.A overrides A from /f/.env, so that line has no effect"]
    ],
    [
      "over both files, in key order",
      { B: "1", A: "1" },
      { A: "2" },
      { B: "3", A: "3" },
      [
        "run.env.A overrides A from /f/.env, so that line has no effect",
        "run.env.A overrides A from /f/agents/a/.env, so that line has no effect",
        "run.env.B overrides B from /f/agents/a/.env, so that line has no effect"
      ]
    ],
    ["a key only in the files", {}, { A: "1" }, { A: "2" }, []]
  ])("%s", (_name, runEnv, fleetVars, agentVars, expected) => {
    expect(
      shadowedKeys(runEnv, [
        { file: "/f/.env", vars: fleetVars },
        { file: "/f/agents/a/.env", vars: agentVars }
      ])
    ).toEqual(expected)
  })
})

const spec = (command: string, cwd = ".") => {
  const e = parseAgentConfig(
    "/f/agents/a/config.yaml",
    "/f/agents/a",
    `agent: { id: a }\nrun: { command: "${command}", cwd: "${cwd}" }\n`
  )
  if (e._tag !== "Valid") throw new Error(e.error)
  return e.spec
}
describe("commandPath", () => {
  const path = Effect.runSync(Effect.provide(Effect.service(Path.Path), Path.layer))
  it.each([
    ["node", ".", null],
    ["./run.sh", ".", "/f/agents/a/run.sh"],
    ["bin/x", "sub", "/f/agents/a/sub/bin/x"],
    ["/opt/x", ".", "/opt/x"]
  ])("%s in %s: %s", (command, cwd, file) => {
    expect(commandPath(spec(command, cwd), (...parts) => path.resolve(...parts))).toBe(file)
  })
})
