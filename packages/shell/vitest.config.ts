import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "shell",
    include: ["test/**/*.test.ts"],
    // Integration tests start real processes; a slow, busy 2-core machine must not fail them on time.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
