// No imports: scripts/bench.mjs loads this file too, to measure an idle Node started the same way.

/**
 * How the long-running launcher is started. Lite mode (no optimizing compiler) and a 1 MiB young
 * generation keep its RSS near Node's own baseline plus what the fleet needs; supervising agents
 * is I/O bound, so the optimizing compiler buys little here. --expose-gc lets the launcher give
 * back what a burst of work (boot, reload, API requests) left behind (releaseMemory.ts).
 *
 * malloc: one arena and two libuv threads avoid per-thread heaps the launcher has no use for;
 * blocks of 32 KiB and more (V8's parser and compiler zones, mostly) are mapped on their own, so
 * freeing them returns them to the kernel instead of leaving holes in the heap that glibc keeps
 * (6 MiB of RSS on a launcher's first start, before V8's compile cache has its code).
 */
export const launcherNodeFlags: ReadonlyArray<string> = ["--lite-mode", "--max-semi-space-size=1", "--expose-gc"]
export const launcherTuning: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "1",
  MALLOC_MMAP_THRESHOLD_: "32768",
  UV_THREADPOOL_SIZE: "2"
}
