// Healthy for 20 seconds, then /healthz says 503 while the process stays up.
import * as http from "node:http"
const started = Date.now()
const server = http.createServer((req, res) => {
  const wedged = Date.now() - started > 20_000
  res.writeHead(req.url === "/healthz" && wedged ? 503 : 200, { "content-type": "text/plain" })
  res.end(wedged ? "stuck waiting on a dead websocket\n" : "ok\n")
})
server.listen(47817, "127.0.0.1", () => console.log("wedged: listening on 127.0.0.1:47817"))
setTimeout(() => console.log("wedged: the websocket went quiet; still running, no longer working"), 20_000)
process.on("SIGTERM", () => server.close(() => process.exit(0)))
