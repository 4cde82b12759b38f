import { AgentIdTaken, AgentNotFound, ConfigInvalid, FileExists, RootInvalid, UsageError } from "@agentctl/core/Errors"
import { assert, describe, it } from "@effect/vitest"
import { CliError } from "effect/cli"
import { ExitCode, exitCodeFor } from "../src/exitCodes.ts"

describe("exit codes", () => {
  it("by tag, from the one table", () => {
    assert.strictEqual(exitCodeFor(AgentNotFound.forId("x")), ExitCode.notFound)
    assert.strictEqual(exitCodeFor(ConfigInvalid.because("f", "f: bad")), ExitCode.invalidConfig)
    assert.strictEqual(exitCodeFor(new UsageError({ message: "no" })), ExitCode.usage)
    assert.strictEqual(exitCodeFor(RootInvalid.at("/x", "ENOENT")), ExitCode.usage)
    assert.strictEqual(exitCodeFor(FileExists.at("/x/agentctl.yaml")), ExitCode.usage)
    assert.strictEqual(exitCodeFor(AgentIdTaken.by("a", "/x/agents/b/config.yaml")), ExitCode.usage)
    assert.strictEqual(
      exitCodeFor(new CliError.UnknownSubcommand({ subcommand: "x", suggestions: [] })),
      ExitCode.usage
    )
  })

  it("anything without a known tag is a failure", () => {
    assert.strictEqual(exitCodeFor(new Error("boom")), ExitCode.failed)
    assert.strictEqual(exitCodeFor({ _tag: "SomethingNew" }), ExitCode.failed)
    assert.strictEqual(exitCodeFor("text"), ExitCode.failed)
  })
})
