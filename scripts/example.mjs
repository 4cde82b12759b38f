// `pnpm example`: start the bundled example fleet and show it. The agents keep running
// afterwards; `agentctl --root examples stop --all` stops them.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { DatabaseSync } from "node:sqlite"

const root = path.resolve(import.meta.dirname, "..", "examples")
const cli = path.resolve(import.meta.dirname, "..", "packages", "cli", "dist", "agentctl.cjs")
const agentctl = (...args) => execFileSync(process.execPath, [cli, "--root", root, ...args], { stdio: "inherit" })

// The greeter keeps a small memory.db (and a cache) so the API's clear_memory and
// delete_cache have something to show; made once, never overwritten.
const data = path.join(root, "data", "greeter")
if (!fs.existsSync(path.join(data, "memory.db"))) {
  fs.mkdirSync(path.join(data, "cache"), { recursive: true })
  fs.mkdirSync(path.join(data, "crypto"), { recursive: true })
  fs.writeFileSync(path.join(data, "cache", "greetings.json"), JSON.stringify({ last: "Hello" }))
  fs.writeFileSync(path.join(data, "crypto", "session.key"), "example, not a real key\n")
  const db = new DatabaseSync(path.join(data, "memory.db"))
  db.exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, role TEXT, content TEXT);
           CREATE TABLE facts (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, key TEXT, value TEXT);`)
  const now = Date.now()
  const hour = 3_600_000
  const message = db.prepare("INSERT INTO messages (created_at, role, content) VALUES (?, ?, ?)")
  for (const [age, role, content] of [
    [30 * hour, "user", "hi greeter (yesterday and then some)"],
    [2 * hour, "user", "hello again"],
    [2 * hour - 1000, "assistant", "Hello from the fleet's .env, says Ada"],
    [60_000, "user", "one more"]
  ])
    message.run(now - age, role, content)
  db.prepare("INSERT INTO facts (created_at, key, value) VALUES (?, ?, ?)").run(
    now - hour,
    "favourite_greeting",
    "Hello"
  )
  db.close()
}

agentctl("start", "--all")
await new Promise((resolve) => setTimeout(resolve, 1500))
agentctl("ls")
console.log(`\nTry: node_modules/.bin/node ${path.relative(process.cwd(), cli)} --root examples logs heartbeat -f`)
console.log(`     node_modules/.bin/node ${path.relative(process.cwd(), cli)} --root examples stop --all`)
