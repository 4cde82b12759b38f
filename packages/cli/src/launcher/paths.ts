import { join } from "node:path"

/** Where a fleet's launcher keeps its files, all under run/. */
export const launcherPaths = (root: string) => {
  const runDir = join(root, "run")
  return {
    runDir,
    socket: join(runDir, "launcher.sock"),
    log: join(runDir, "launcher.log"),
    token: join(runDir, "api.token")
  }
}
