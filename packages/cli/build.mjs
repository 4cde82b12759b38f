// Bundles the CLI: dist/agentctl.cjs (the entry and the fast `ls` path, no Effect) and
// dist/main.cjs (everything else, which the entry loads with V8's code cache: loadCached.ts).
// A few bundled files parse far faster than hundreds of ESM modules, which is most of a CLI's
// start-up time.
import { renderDocsPage } from "@agentctl/api/DocsPage"
import * as Effect from "effect/Effect"
import * as esbuild from "esbuild"
import { launcherDiet } from "./launcherDiet.mjs"
import * as fs from "node:fs"

// The /docs page is 3 MB of HTML (Scalar's script inline). Built in the launcher on request, it
// and the module holding the script stay in its heap (~25 MiB of RSS); so it is rendered here,
// by the API's own renderer, to dist/docs.html, and the bundles' DocsPageFile names that file,
// which the launcher streams from disk. Scalar's script module stays out of the bundles: only
// this build renders with it.
fs.mkdirSync("dist", { recursive: true })
fs.writeFileSync("dist/docs.html", await Effect.runPromise(renderDocsPage))
fs.rmSync("dist/scalar.mjs", { force: true })
// Chunks of an earlier build would pile up: their names change with their contents.
for (const name of fs.readdirSync("dist"))
  if (/^(chunk-.*|main)\.mjs(\.map)?$|^main\.cjs(\.map|\.v8|\..*\.tmp)?$/.test(name)) fs.rmSync(`dist/${name}`)
const docsOnDisk = {
  name: "docs-on-disk",
  setup(build) {
    build.onResolve({ filter: /internal[\\/]httpApiScalar\.js$/ }, () => ({ path: "./scalar.mjs", external: true }))
    build.onResolve({ filter: /[\\/]DocsPageFile\.ts$/ }, (args) => ({ path: args.path, namespace: "docs-page-file" }))
    build.onLoad({ filter: /.*/, namespace: "docs-page-file" }, () => ({
      contents: `exports.docsPageFile = require("node:path").join(__dirname, "docs.html")`,
      loader: "js"
    }))
  }
}

// One id for the bundles of one build: the config cache written by one is a miss for another.
const buildId = `${Date.now().toString(36)}.${process.pid.toString(36)}`

const common = {
  bundle: true,
  define: { AGENTCTL_BUILD: JSON.stringify(buildId) },
  platform: "node",
  format: "cjs",
  target: "node22",
  // NO_MINIFY=1: readable names in a CPU profile (the figures in the README are of minified builds).
  minify: process.env.NO_MINIFY !== "1",
  sourcemap: "linked",
  logLevel: "warning",
  legalComments: "none",
  plugins: [docsOnDisk]
}
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ["src/bin.ts"],
    outfile: "dist/agentctl.cjs",
    external: ["./main.cjs", "./fast.cjs"],
    // no source map: its comment alone makes Node load its source-map support at start-up
    sourcemap: false,
    banner: { js: "#!/usr/bin/env node" }
  }),
  // The Effect-free `ls` (run by agentctl.cjs through loadCached, with its code cache).
  esbuild.build({
    ...common,
    entryPoints: ["src/fast/entry.ts"],
    outfile: "dist/fast.cjs",
    sourcemap: false
  }),
  // One CommonJS file: a command's modules are evaluated only when it runs them (esbuild wraps
  // what the subcommand table and other dynamic imports reach in lazy initialisers), and one
  // script is what V8's code cache covers whole (loadCached.ts).
  esbuild.build({
    ...common,
    entryPoints: ["src/main.ts"],
    outfile: "dist/main.cjs"
  }),
  // The long-running launcher gets a bundle of its own: none of the CLI's parser or HTTP client.
  esbuild.build({
    ...common,
    entryPoints: ["src/launcher/entry.ts"],
    outfile: "dist/launcher.cjs",
    external: ["./launcher-main.cjs"]
  }),
  esbuild.build({
    ...common,
    entryPoints: ["src/launcher/main.ts"],
    outfile: "dist/launcher-main.cjs",
    plugins: [...common.plugins, launcherDiet]
  })
])
fs.chmodSync("dist/agentctl.cjs", 0o755)
