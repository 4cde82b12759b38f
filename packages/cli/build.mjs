// Bundles the CLI into two CommonJS files: dist/agentctl.cjs (the entry and the fast `ls` path,
// no Effect) and dist/main.cjs (everything else). One file each parses far faster than
// hundreds of ESM modules, which is most of a CLI's start-up time.
import * as esbuild from "esbuild"
import * as fs from "node:fs"

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node22",
  minify: true,
  sourcemap: "linked",
  logLevel: "warning",
  legalComments: "none"
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
  esbuild.build({ ...common, entryPoints: ["src/launcher/main.ts"], outfile: "dist/launcher.cjs" })
])
fs.chmodSync("dist/agentctl.cjs", 0o755)
