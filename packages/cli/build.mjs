// Bundles the CLI into two CommonJS files: dist/agentctl.cjs (the entry and the fast `ls` path,
// no Effect) and dist/main.cjs (everything else). One file each parses far faster than
// hundreds of ESM modules, which is most of a CLI's start-up time.
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

// The Scalar docs page script is 3 MB. Inlined in a bundle, V8 holds it in memory for the
// launcher's whole life even if nobody opens /docs; as a file beside the bundles it is loaded
// on the first GET /docs only.
const effectDir = path.dirname(createRequire(import.meta.url).resolve("effect/package.json"))
fs.mkdirSync("dist", { recursive: true })
fs.copyFileSync(path.join(effectDir, "dist", "http-api", "internal", "httpApiScalar.js"), "dist/scalar.mjs")
const scalarOnDemand = {
  name: "scalar-on-demand",
  setup(build) {
    build.onResolve({ filter: /internal[\\/]httpApiScalar\.js$/ }, () => ({ path: "./scalar.mjs", external: true }))
  }
}

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node22",
  minify: true,
  sourcemap: "linked",
  logLevel: "warning",
  legalComments: "none",
  plugins: [scalarOnDemand]
}
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ["src/bin.ts"],
    outfile: "dist/agentctl.cjs",
    external: ["./main.cjs"],
    // no source map: its comment alone makes Node load its source-map support at start-up
    sourcemap: false,
    banner: { js: "#!/usr/bin/env node" }
  }),
  esbuild.build({ ...common, entryPoints: ["src/main.ts"], outfile: "dist/main.cjs" }),
  // The long-running launcher gets a bundle of its own: none of the CLI's parser or HTTP client.
  esbuild.build({
    ...common,
    entryPoints: ["src/launcher/entry.ts"],
    outfile: "dist/launcher.cjs",
    external: ["./launcher-main.cjs"]
  }),
  esbuild.build({ ...common, entryPoints: ["src/launcher/main.ts"], outfile: "dist/launcher-main.cjs" })
])
fs.chmodSync("dist/agentctl.cjs", 0o755)
