import { fastLs } from "./fast/fastLs.ts"

/*
 * The `agentctl` entry point. The hottest command, `ls`, is answered without loading Effect
 * when it can be (see fastLs.ts); everything else loads the full CLI (dist/main.mjs and the chunks it imports),
 * with V8's compile cache so its code is not re-parsed on every run.
 */
const argv = process.argv.slice(2)

const full = () => {
  // Loaded here, not at the top: the fast path must not pay for node:module.
  const nodeModule = require("node:module") as typeof import("node:module")
  const { pathToFileURL } = require("node:url") as typeof import("node:url")
  nodeModule.enableCompileCache?.()
  void (import(pathToFileURL(`${__dirname}/main.mjs`).href) as Promise<typeof import("./main.ts")>).then((main) =>
    main.run(argv)
  )
}

const answered = fastLs(argv)
if (answered === false) full()
else if (answered !== true) void answered.then((done) => done || full())
