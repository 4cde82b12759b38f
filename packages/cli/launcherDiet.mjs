// The launcher bundle's diet, in one place: build.mjs applies it to dist/launcher-main.cjs, and
// test/launcher.int.test.ts checks the running launcher's module list (it fails if an import
// starts loading one of these modules at start-up again). Measure with
// `node scripts/bench.mjs launcher` and `../shared/acceptance/run launcher-rss`.
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)

// The launcher runs for days and is judged by its RSS. The HTTP layer it is built on imports
// modules it never or seldom uses; these stay out of its memory until something needs them:
// - `ws`, for WebSocket upgrades, which agentctl's API never makes. It alone pulls in https, tls,
//   zlib and crypto. In its place, a module that fails loudly if an upgrade ever asks for it.
// - node:crypto, node:tls, node:readline and node:sqlite are imported at the top of modules that
//   use them in a few functions (temp directories, TLS sockets, the terminal, the memory routes).
//   Each import gets an object with one getter per export of this Node (listed here, at build
//   time) that loads the real module on first access.
// - node:zlib (0.5 MiB), for rotated log segments and HTTP compression the API never asks for.
//   Its users touch it while loading (`typeof zlib.zstdCompress`, `promisify(zlib.gzip)`), so a
//   getter would load it at once: its functions are stand-ins instead, which load it when called
//   (or constructed; nothing subclasses zlib's classes). Its constants still load it on access.
const lazyBuiltins = ["crypto", "tls", "readline", "sqlite", "zlib"]
const forwardedBuiltins = new Set(["zlib"])
export const launcherDiet = {
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
      const forwarded = forwardedBuiltins.has(args.path)
      const keys = Object.getOwnPropertyNames(real).map((key) => [
        key,
        Object.getOwnPropertyDescriptor(real, key).enumerable,
        forwarded && typeof real[key] === "function"
      ])
      return {
        contents: `let real
          const load = () => (real ??= require("node:${args.path}"))
          const standIn = (key) => function (...args) {
            const f = load()[key]
            return new.target === undefined ? Reflect.apply(f, this, args) : Reflect.construct(f, args)
          }
          for (const [key, enumerable, stand] of ${JSON.stringify(keys)})
            if (stand) Object.defineProperty(exports, key, { enumerable, value: standIn(key) })
            else Object.defineProperty(exports, key, { enumerable, get: () => load()[key] })`,
        loader: "js"
      }
    })
  }
}
