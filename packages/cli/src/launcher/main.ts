import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import { resolveRoot } from "../FleetLayers.ts"
import { runLauncher } from "./runLauncher.ts"

/*
 * dist/launcher-main.cjs: the long-running supervisor in a bundle of its own, without the
 * CLI's parser, prompts and HTTP client (https/tls alone cost ~9 MiB of RSS to load).
 * `agentctl launcher start` runs it detached as `node launcher.cjs <root>` (entry.ts, which loads this).
 */
const root = resolveRoot(process.argv[2])
NodeRuntime.runMain(
  runLauncher(root).pipe(
    Effect.tapCause((cause) =>
      Effect.sync(() => process.stderr.write(`agentctl launcher: ${cause.toString().split("\n")[0]}\n`))
    )
  ),
  { disableErrorReporting: true }
)
