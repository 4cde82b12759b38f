import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "shell",
    // Every test cleans up what it started (support.ts) and no module keeps state between files:
    // one worker for many files saves ~0.2 s of start-up per file.
    isolate: false,
    include: ["test/**/*.test.ts"],
    // Integration tests start real processes; a slow, busy 2-core machine must not fail them on time.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
