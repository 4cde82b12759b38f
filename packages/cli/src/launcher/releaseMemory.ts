import * as Effect from "effect/Effect"

/**
 * Gives back the memory that booting (or reloading) the fleet left behind: parsed configs,
 * schemas decoded once, bytecode of code that ran once. V8 would find it too, but only when its
 * memory reducer wakes up, seconds to minutes later; until then the launcher's RSS counts it.
 * A "last-resort" collection compacts the heap and returns the freed pages to the kernel at
 * once (about 6 MiB at boot, measured with `pnpm bench launcher`).
 *
 * `gc` exists only when Node runs with --expose-gc, as `launcher start` and the systemd line in
 * the README run it; in `launcher run` (inside the CLI) it is absent and this does nothing.
 */
export const releaseMemory: Effect.Effect<void> = Effect.sync(() => {
  globalThis.gc?.({ type: "major", execution: "sync", flavor: "last-resort" })
})
