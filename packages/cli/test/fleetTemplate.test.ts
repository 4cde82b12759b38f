import { parseFleetSettings } from "@agentctl/core/ConfigFile"
import { parseDotenv } from "@agentctl/core/dotenv"
import { ApiSettings, defaultFleetSettings, FleetSettings, RestartSettings } from "@agentctl/core/FleetSettings"
import { LogSettings } from "@agentctl/core/LogSettings"
import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import { fleetEnvText, fleetSettingsText, renderSettings, settingLines } from "../src/fleetTemplate.ts"

/*
 * What `agentctl init` writes: the settings file must say what the schema does, so it is decoded
 * here as the fleet reads it, as written (all commented out) and with every line uncommented.
 */

const decode = (text: string) => {
  const parsed = parseFleetSettings("agentctl.yaml", text)
  if (Result.isFailure(parsed)) throw new Error(parsed.failure)
  return parsed.success
}

describe("the agentctl.yaml init writes", () => {
  it("reads as the defaults", () => {
    assert.deepStrictEqual(decode(fleetSettingsText()), defaultFleetSettings)
  })

  it("shows each default as it is: uncommented, it still decodes to the defaults", () => {
    // max_line has no default in the schema (it follows max_size); written, it is the one it stands for.
    assert.deepStrictEqual(decode(renderSettings(false).join("\n")), {
      ...defaultFleetSettings,
      logs: { ...defaultFleetSettings.logs, max_line: 64 * 1024 }
    })
  })

  it("names every key of the settings schema, each with what it does", () => {
    const keys = (lines: typeof settingLines, under: string): ReadonlyArray<string> =>
      lines.flatMap((l) => [`${under}${l.key}`, ...keys(l.keys ?? [], `${under}${l.key}.`)])
    const schemaKeys = [
      ...Object.keys(FleetSettings.fields),
      ...Object.keys(RestartSettings.fields).map((k) => `restart.${k}`),
      ...Object.keys(ApiSettings.fields).map((k) => `api.${k}`),
      ...Object.keys(LogSettings.fields).map((k) => `logs.${k}`)
    ]
    // `defaults:` has no default to show: it is an example, commented out whatever else is.
    const shown = [...keys(settingLines, ""), ...(schemaKeys.includes("defaults") ? ["defaults"] : [])]
    assert.deepStrictEqual(shown.toSorted(), schemaKeys.toSorted())
    for (const line of renderSettings(true)) assert.match(line, /^# +\w+:.* # \S/, line)
    assert.includeMembers(fleetSettingsText().split("\n"), [...renderSettings(true)])
    assert.include(fleetSettingsText(), "# defaults:")
    assert.include(fleetSettingsText(), '#     args: ["-c", "{config}"]')
  })

  it("is comments only, every line", () => {
    for (const line of fleetSettingsText().split("\n")) assert.isTrue(line === "" || line.startsWith("#"), line)
  })
})

describe("the .env init writes", () => {
  it("holds no variable, and says the precedence", () => {
    const parsed = parseDotenv(fleetEnvText())
    assert.deepStrictEqual([parsed.entries, parsed.errors], [[], []])
    assert.include(fleetEnvText().replaceAll("\n# ", " "), "the host's environment < this file < the agent's own .env")
    assert.include(fleetEnvText(), "run.env")
  })
})
