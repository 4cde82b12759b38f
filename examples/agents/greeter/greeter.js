// Greets with values from .env files every GREET_EVERY seconds.
const every = Number(process.env.GREET_EVERY ?? 5) * 1000
const greet = () =>
  console.log(`${process.env.GREETING ?? "(no GREETING)"}, says ${process.env.GREETER_NAME ?? "nobody"}`)
greet()
setInterval(greet, every)
