// `pnpm mutation`: Stryker mutates packages/core/src (its fakes in src/testing are test code,
// not mutated) and runs core's vitest suite against every mutant. Not in CI: it takes a while.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "packages/core/vitest.config.ts", dir: "packages/core" },
  plugins: ["@stryker-mutator/vitest-runner"],
  mutate: ["packages/core/src/**/*.ts", "!packages/core/src/testing/**"],
  coverageAnalysis: "perTest",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // Only what core's tests need goes into the sandbox.
  ignorePatterns: ["packages/api", "packages/cli", "packages/shell", "examples", "scripts", "reports"],
  thresholds: { high: 90, low: 80, break: 80 },
  // A rerun tests only the mutants whose code or covering tests changed since the last run
  // (results kept in reports/, which git ignores); `pnpm mutation --force` tests every one.
  incremental: true,
  incrementalFile: "reports/mutation/incremental.json",
  // Static mutants (module-level code: schema and class definitions, constant tables) are 26% of
  // core's mutants and 84% of the run: each needs a fresh module graph and the whole suite.
  // Skipped here; `pnpm mutation --ignoreStatic false` measures them too (about 3 h on 2 cores).
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 20_000,
  // Stryker rewrites tsconfig paths with the TypeScript 5 API, which TypeScript 7 no longer has;
  // the sandbox is the whole repository, so no tsconfig path needs rewriting.
  tsconfigFile: "no-tsconfig-rewrite.json",
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always"
}
