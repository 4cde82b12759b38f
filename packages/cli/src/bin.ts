import { fastLs } from "./fast/fastLs.ts"
import { loadCached } from "./loadCached.ts"

/*
 * The `agentctl` entry point. The hottest command, `ls`, is answered without loading Effect
 * when it can be (see fastLs.ts); everything else loads the full CLI (dist/main.cjs) with V8's
 * code cache of an earlier run (loadCached.ts).
 */
const argv = process.argv.slice(2)

const full = () => {
  const main = loadCached(`${__dirname}/main.cjs`, `${__dirname}/main.cjs.v8`) as typeof import("./main.ts")
  main.run(argv)
}

const answered = fastLs(argv)
if (answered === false) full()
else if (answered !== true) void answered.then((done) => done || full())
