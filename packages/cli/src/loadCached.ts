/*
 * Loads the bundled CLI (dist/main.cjs) with V8's code cache of a whole earlier run, kept beside
 * it. Node's own compile cache (module.enableCompileCache) stores what V8 compiled before the
 * module ran: the top level, not the thousands of functions a command then calls, which V8
 * compiles on their first call. A cache made after a run has those too. Effect-free, like the
 * fast `ls` path that shares the entry (bin.ts), which is why node:vm and node:module are taken
 * when this runs, not imported: `ls` must not load them.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"

/** Which file a cache was made from: inode, size and mtime in ns (a rebuild changes the last). */
const stampOf = (file: string): string => {
  const s = statSync(file, { bigint: true })
  return `${s.ino}:${s.size}:${s.mtimeNs}`
}

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
  // V8 checks a cache against the source's length only: a rebuild of the same length (a new
  // build id, one changed character) would run the old build's code. So the cache starts with
  // the stamp of the file it was made from, and any other stamp is no cache.
  const stamp = stampOf(file)
  let cachedData: Buffer | undefined
  try {
    const bytes = readFileSync(cacheFile)
    const end = bytes.indexOf(10)
    if (end > 0 && bytes.toString("latin1", 0, end) === stamp) cachedData = bytes.subarray(end + 1)
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
        writeFileSync(temp, Buffer.concat([Buffer.from(`${stamp}\n`, "latin1"), script.createCachedData()]))
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
