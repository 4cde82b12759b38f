// Lints the OpenAPI document the API serves at /openapi.json: it is produced from the contract
// (`OpenApi.fromApi(Api)`, the same schemas that decode requests), written to a file and checked
// with Redocly's recommended rules (redocly.yaml). No network: telemetry and update checks off.
// `node scripts/lint-openapi.mjs [--out FILE]` keeps the document in FILE.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as OpenApi from "effect/http-api/OpenApi"

const root = path.resolve(import.meta.dirname, "..")
// Node strips the types of the contract's TypeScript sources as it loads them.
const { Api } = await import(path.join(root, "packages/api/src/Api.ts"))

const outIndex = process.argv.indexOf("--out")
const keep = outIndex === -1 ? undefined : process.argv[outIndex + 1]
const dir = keep === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), "agentctl-openapi-")) : undefined
const file = keep ?? path.join(dir, "openapi.json")
fs.writeFileSync(file, `${JSON.stringify(OpenApi.fromApi(Api), null, 2)}\n`)

const lint = spawnSync(
  path.join(root, "node_modules/.bin/redocly"),
  ["lint", file, "--config", path.join(root, "redocly.yaml"), "--format", "codeframe"],
  {
    stdio: "inherit",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", CI: "true" }
  }
)
if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
if (lint.error !== undefined) throw lint.error
process.exitCode = lint.status ?? 1
