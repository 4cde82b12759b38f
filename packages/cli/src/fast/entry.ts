import { fastLs } from "./fastLs.ts"

/*
 * dist/fast.cjs: the Effect-free `ls`, a bundle of its own so that bin.ts can run it with V8's
 * code cache of an earlier run (loadCached.ts), as it runs the full CLI: what V8 compiled of it
 * last time is not compiled again (~5 ms of a ~40 ms `ls` at 100 agents).
 */

/** Answer `argv` here when the fast path can; else `full` (the whole CLI) does. */
export const run = (argv: ReadonlyArray<string>, full: () => void): void => {
  const answered = fastLs(argv)
  if (answered === false) full()
  else if (answered !== true) void answered.then((done) => done || full())
}
