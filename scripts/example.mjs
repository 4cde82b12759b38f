// `pnpm example`: start the bundled example fleet and show it. The agents keep running
// afterwards; `agentctl --root examples stop --all` stops them.
import { execFileSync } from "node:child_process"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..", "examples")
const cli = path.resolve(import.meta.dirname, "..", "packages", "cli", "dist", "agentctl.cjs")
const agentctl = (...args) => execFileSync(process.execPath, [cli, "--root", root, ...args], { stdio: "inherit" })

agentctl("start", "--all")
await new Promise((resolve) => setTimeout(resolve, 1500))
agentctl("ls")
console.log(`\nTry: node ${path.relative(process.cwd(), cli)} --root examples logs heartbeat -f`)
console.log(`     node ${path.relative(process.cwd(), cli)} --root examples stop --all`)
