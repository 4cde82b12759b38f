// Bundles the CLI into two CommonJS files: dist/agentctl.cjs (the entry and the fast `ls` path,
// no Effect) and dist/main.cjs (everything else). One file each parses far faster than
// hundreds of ESM modules, which is most of a CLI's start-up time.
import { renderDocsPage } from "@agentctl/api/DocsPage"
import * as Effect from "effect/Effect"
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import { createRequire } from "node:module"

// The /docs page is 3 MB of HTML (Scalar's script inline). Built in the launcher on request, it
// and the module holding the script stay in its heap (~25 MiB of RSS); so it is rendered here,
// by the API's own renderer, to dist/docs.html, and the bundles' DocsPageFile names that file,
// which the launcher streams from disk. Scalar's script module stays out of the bundles: only
// this build renders with it.
const require = createRequire(import.meta.url)
fs.mkdirSync("dist", { recursive: true })
fs.writeFileSync("dist/docs.html", await Effect.runPromise(renderDocsPage))
fs.rmSync("dist/scalar.mjs", { force: true })
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

// The launcher runs for days and is judged by its RSS. The HTTP layer it is built on imports
// modules it never or seldom uses; these stay out of its memory until something needs them:
// - `ws`, for WebSocket upgrades, which agentctl's API never makes. It alone pulls in https, tls,
//   zlib and crypto. In its place, a module that fails loudly if an upgrade ever asks for it.
// - node:crypto, node:tls, node:readline and node:sqlite are imported at the top of modules that
//   use them in a few functions (temp directories, TLS sockets, the terminal, the memory routes).
//   Each import gets an object with one getter per export of this Node (listed here, at build
//   time) that loads the real module on first access.
const lazyBuiltins = ["crypto", "tls", "readline", "sqlite"]
const launcherDiet = {
  name: "launcher-diet",
  setup(build) {
    build.onResolve({ filter: /^ws$/ }, () => ({ path: "ws", namespace: "no-ws" }))
    build.onLoad({ filter: /.*/, namespace: "no-ws" }, () => ({
      contents: `const refuse = () => { throw new Error("agentctl's launcher serves no WebSockets") }
        export class WebSocket { constructor() { refuse() } }
        export class WebSocketServer { constructor() { refuse() } }
        export const createWebSocketStream = refuse`,
      loader: "js"
    }))
    const filter = new RegExp(`^(node:)?(${lazyBuiltins.join("|")})$`)
    build.onResolve({ filter }, (args) =>
      args.namespace === "lazy-builtin"
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ""), namespace: "lazy-builtin" }
    )
    build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => {
      const real = require(`node:${args.path}`)
      const keys = Object.getOwnPropertyNames(real).map((key) => [
        key,
        Object.getOwnPropertyDescriptor(real, key).enumerable
      ])
      return {
        contents: `let real
          const load = () => (real ??= require("node:${args.path}"))
          for (const [key, enumerable] of ${JSON.stringify(keys)})
            Object.defineProperty(exports, key, { enumerable, get: () => load()[key] })`,
        loader: "js"
      }
    })
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
  minify: true,
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
  esbuild.build({
    ...common,
    entryPoints: ["src/launcher/main.ts"],
    outfile: "dist/launcher-main.cjs",
    plugins: [...common.plugins, launcherDiet]
  })
])
fs.chmodSync("dist/agentctl.cjs", 0o755)
