// Fails when the import graph of packages/*/src has a cycle, when an arrow points the wrong way
// (core imports nothing of ours; shell and api import only core; cli imports anything), or when
// the fast path (everything packages/cli/src/bin.ts and fast/entry.ts import, however indirectly) imports Effect:
// that path answers `ls` in the time of `node -e 0` only because Effect is never loaded on it.
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const allowed = { core: [], shell: ["core"], api: ["core"], cli: ["core", "shell", "api"] }
const files = fs.globSync("packages/*/src/**/*.ts", { cwd: root }).map((f) => path.join(root, f))
const importRe = /^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+["']([^"']+)["']/gm
const graph = new Map()
/** Packages each file imports (value imports only), for the fast-path guard. */
const external = new Map()
const problems = []
for (const file of files) {
  const pkg = path.relative(root, file).split(path.sep)[1]
  const deps = []
  const packages = []
  for (const [, spec] of fs.readFileSync(file, "utf8").matchAll(importRe)) {
    let target
    if (spec.startsWith(".")) target = path.resolve(path.dirname(file), spec)
    else if (spec.startsWith("@agentctl/")) {
      const [, other, ...rest] = spec.split("/")
      if (other !== pkg && !allowed[pkg]?.includes(other))
        problems.push(`${path.relative(root, file)} imports ${spec}: ${pkg} may not depend on ${other}`)
      target = path.join(root, "packages", other, "src", rest.join("/").replace(/^testing\//, "testing/")) + ".ts"
    } else {
      packages.push(spec)
      continue
    }
    deps.push(target)
  }
  graph.set(file, deps)
  external.set(file, packages)
}
const state = new Map()
const stack = []
const visit = (f) => {
  state.set(f, 1)
  stack.push(f)
  for (const d of graph.get(f) ?? []) {
    if (state.get(d) === 1)
      problems.push(
        `import cycle: ${[...stack.slice(stack.indexOf(d)), d].map((x) => path.relative(root, x)).join(" -> ")}`
      )
    else if (!state.has(d) && graph.has(d)) visit(d)
  }
  stack.pop()
  state.set(f, 2)
}
for (const f of graph.keys()) if (!state.has(f)) visit(f)

// bin.ts and the fast `ls` bundle it runs (dist/fast.cjs, from fast/entry.ts, named by path, not imported).
const fastEntries = [
  path.join(root, "packages", "cli", "src", "bin.ts"),
  path.join(root, "packages", "cli", "src", "fast", "entry.ts")
]
const fastPath = new Set()
const reach = (f) => {
  if (fastPath.has(f) || !graph.has(f)) return
  fastPath.add(f)
  for (const d of graph.get(f)) reach(d)
}
for (const entry of fastEntries) reach(entry)
for (const f of fastPath) {
  for (const spec of external.get(f) ?? []) {
    if (spec === "effect" || spec.startsWith("effect/") || spec.startsWith("@effect/")) {
      problems.push(
        `the fast path imports Effect: ${path.relative(root, f)} imports ${spec} (reached from packages/cli/src/bin.ts or fast/entry.ts)`
      )
    }
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(p)
  process.exit(1)
}
console.log(
  `import graph ok: ${files.length} files, no cycles, arrows point one way, the fast path (${fastPath.size} files) free of Effect`
)
