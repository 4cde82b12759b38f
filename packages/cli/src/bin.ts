import { loadCached } from "./loadCached.ts"

/*
 * The `agentctl` entry point. The hottest command, `ls`, is answered without loading Effect
 * when it can be (fast/fastLs.ts, bundled as dist/fast.cjs); everything else loads the full CLI
 * (dist/main.cjs). Both run with V8's code cache of an earlier run (loadCached.ts).
 */
const argv = process.argv.slice(2)

const full = () => {
  const main = loadCached(`${__dirname}/main.cjs`, `${__dirname}/main.cjs.v8`) as typeof import("./main.ts")
  main.run(argv)
}

const fast = loadCached(`${__dirname}/fast.cjs`, `${__dirname}/fast.cjs.v8`) as typeof import("./fast/entry.ts")
fast.run(argv, full)
