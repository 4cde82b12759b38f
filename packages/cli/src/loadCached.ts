/*
 * Loads the bundled CLI (dist/main.cjs) with V8's code cache of a whole earlier run, kept beside
 * it. Node's own compile cache (module.enableCompileCache) stores what V8 compiled before the
 * module ran: the top level, not the thousands of functions a command then calls, which V8
 * compiles on their first call. A cache made after a run has those too. Effect-free, like the
 * fast `ls` path that shares the entry (bin.ts), which is why node:vm and node:module are taken
 * when this runs, not imported: `ls` must not load them.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"

interface CommonJsModule {
  exports: unknown
}

/**
 * Runs `file` as a CommonJS module and returns its exports. `cacheFile`: V8's code cache for it,
 * used when V8 accepts it (same source, same V8 and flags); else rewritten as this process
 * exits, so the next run finds what this one compiled.
 */
export const loadCached = (file: string, cacheFile: string): unknown => {
  const source = readFileSync(file, "utf8")
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // no cache yet (or one we may not read): this run compiles, and writes one at exit
  }
  const { Script } = process.getBuiltinModule("node:vm")
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData })
  })
  if (cachedData === undefined || script.cachedDataRejected === true) {
    process.once("exit", () => {
      // A cache is an optimisation: a folder we may not write to (a read-only install) only
      // means every run compiles. The rename makes a concurrent reader see a whole file or none.
      const temp = `${cacheFile}.${process.pid}.tmp`
      try {
        writeFileSync(temp, script.createCachedData())
        renameSync(temp, cacheFile)
      } catch {
        rmSync(temp, { force: true })
      }
    })
  }
  const module: CommonJsModule = { exports: {} }
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: CommonJsModule,
    filename: string,
    dirname: string
  ) => void
  wrapper(module.exports, process.getBuiltinModule("node:module").createRequire(file), module, file, dirname(file))
  return module.exports
}
