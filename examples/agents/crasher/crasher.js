// Starts, works for three seconds, then fails the way real agents do.
console.log(`crasher: started (pid ${process.pid})`)
setTimeout(() => {
  console.error("crasher: lost my connection, exiting with code 1")
  process.exit(1)
}, 3000)
