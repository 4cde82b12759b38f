import * as NodeApiToken from "@agentctl/shell/NodeApiToken"
import { loadSettings } from "@agentctl/core/FleetLoader"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Command, Flag } from "effect/cli"
import { launcherPaths } from "../launcher/paths.ts"
import { printJson } from "../Output.ts"
import { fleetRoot, inFleet, jsonOutput } from "../Root.ts"

const urlOf = (host: string, port: number) => `http://${host.includes(":") ? `[${host}]` : host}:${port}`

export const api = Command.make(
  "api",
  {
    rotate: Flag.Boolean("rotate").pipe(
      Flag.withDefault(false),
      Flag.withDescription("replace the token; clients holding the old one get 401 from their next request")
    )
  },
  Effect.fn("cli.api")(function* ({ rotate }) {
    const root = yield* fleetRoot
    const settings = yield* inFleet(loadSettings())
    const paths = launcherPaths(root)
    const tokens = NodeApiToken.make(paths.token)
    const token = yield* rotate ? tokens.rotate : tokens.ensure
    const url = urlOf(settings.api.host, settings.api.port)
    if (yield* jsonOutput) {
      return yield* printJson({ url, token, token_file: paths.token, socket: paths.socket, rotated: rotate })
    }
    yield* Console.log(
      [
        `URL     ${url}   (docs: ${url}/docs)`,
        `Token   ${token}${rotate ? "   (new: the old one no longer works)" : ""}`,
        `Socket  ${paths.socket}   (no token needed; file mode 0600)`,
        "",
        `curl -H "Authorization: Bearer ${token}" ${url}/agents`
      ].join("\n")
    )
  })
).pipe(Command.withDescription("Print the HTTP API's URL and bearer token (run/api.token, created if missing)"))
