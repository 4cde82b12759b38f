// Ignores SIGTERM: `agentctl stop stubborn` has to escalate to SIGKILL after 3 s.
process.on("SIGTERM", () => console.log("stubborn: SIGTERM? no."))
setInterval(() => {}, 1 << 30)
console.log(`stubborn: running (pid ${process.pid}); try stopping me`)
