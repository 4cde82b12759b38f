// Logs a heartbeat every second until asked to stop.
let beats = 0
const timer = setInterval(
  () => console.log(`heartbeat ${++beats} (pid ${process.pid}, level ${process.env.LOG_LEVEL})`),
  1000
)
process.on("SIGTERM", () => {
  clearInterval(timer)
  console.log("heartbeat: got SIGTERM, bye")
  process.exit(0)
})
