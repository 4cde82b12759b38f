import { defineProject } from "vitest/config"

export default defineProject({ test: { name: "shell", include: ["test/**/*.test.ts"] } })
