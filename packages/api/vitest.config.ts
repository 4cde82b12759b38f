import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "api",
    // Each test builds its own layers and server (harness.ts); nothing is kept in modules between
    // files, so one worker for many files saves the start-up of one per file (40 s to 26 s).
    isolate: false,
    include: ["test/**/*.test.ts"],
    // Integration tests start real processes; a slow, busy 2-core machine must not fail them on time.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
