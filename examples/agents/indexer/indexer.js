// Indexes "documents" from the store; keeps indexer.alive for its liveness probe.
import * as fs from "node:fs"
fs.writeFileSync("indexer.alive", String(process.pid))
let n = 0
setInterval(() => console.log(`indexer: indexed document ${++n}`), 3000)
process.on("SIGTERM", () => {
  fs.rmSync("indexer.alive", { force: true })
  process.exit(0)
})
