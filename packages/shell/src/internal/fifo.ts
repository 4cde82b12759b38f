/** Named pipes: how the launcher and its agents talk without either outliving the other's pipe. */
import * as fs from "node:fs"
import { errorCode } from "../errno.ts"
import { childProcess } from "../childProcess.ts"

export const isFifo = (path: string): boolean => {
  try {
    return fs.statSync(path).isFIFO()
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false
    throw error
  }
}

/** mkfifo(3) has no Node binding; mkfifo(1) is coreutils. Made once per agent, then reused. */
export const makeFifos = (paths: ReadonlyArray<string>): void => {
  if (paths.length === 0) return
  // Whatever else has the name (a file left by hand) would make mkfifo fail.
  for (const path of paths) fs.rmSync(path, { force: true })
  childProcess().execFileSync("mkfifo", ["-m", "600", "--", ...paths], { stdio: "ignore" })
}

export const ensureFifo = (path: string): void => {
  if (!isFifo(path)) makeFifos([path])
}
