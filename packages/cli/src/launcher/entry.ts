import { stat } from "node:fs"
import * as nodeModule from "node:module"

/*
 * dist/launcher.cjs, what `launcher start` runs. Two jobs before the launcher itself loads:
 * - Drop the tuning variables `launcher start` added for this process (MALLOC_*,
 *   UV_THREADPOOL_SIZE), so agents inherit the user's environment, not ours. glibc read its
 *   variables when the process started; libuv reads UV_THREADPOOL_SIZE when its pool starts: one
 *   async stat starts it first.
 * - Turn V8's compile cache on: the launcher's code is then read from cache instead of parsed,
 *   and the parser's memory (6 MiB of malloc heap that glibc keeps) is never taken.
 */
const tuning = process.env.AGENTCTL_LAUNCHER_TUNING
if (tuning !== undefined) {
  stat(__filename, () => {})
  for (const name of tuning.split(",")) if (name !== "") delete process.env[name]
  delete process.env.AGENTCTL_LAUNCHER_TUNING
}
nodeModule.enableCompileCache?.()
require("./launcher-main.cjs")
