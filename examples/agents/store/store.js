// A stand-in for a database: slow to come up, then ready.
console.log("store: warming up")
setTimeout(() => console.log("store: accepting connections"), 2000)
setInterval(() => console.log("store: 0 queries in the last 10s"), 10_000)
process.on("SIGTERM", () => {
  console.log("store: got SIGTERM, flushing, bye")
  process.exit(0)
})
