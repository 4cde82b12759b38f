import * as NodeServices from "@effect/platform-node/NodeServices"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { CliError, Command } from "effect/cli"
import { commandFor, fullCommand, subcommandOf, subcommands, usagePresenter } from "../src/main.ts"
import { usageLine } from "../src/usage.ts"
import { version } from "../src/version.ts"

/*
 * Parse errors as the real command tree meets them (in-process, nothing reaches a fleet): one
 * line each, from the error's fields. The bundle's stderr and exit codes are checked end to end
 * in errors.int.test.ts.
 */

const parseError = (
  tree: (argv: ReadonlyArray<string>) => ReturnType<typeof fullCommand>,
  argv: ReadonlyArray<string>
) =>
  Effect.promise(() => tree(argv)).pipe(
    Effect.flatMap((command) => Command.runWith(command, { version })(argv)),
    Effect.flip,
    Effect.flatMap((e) =>
      CliError.isCliError(e) && e._tag === "ShowHelp"
        ? Effect.succeed(usageLine(e.commandPath, e.errors))
        : Effect.die(new Error(`expected a parse error, got ${String(e)}`))
    ),
    Effect.provide(usagePresenter),
    Effect.provide(NodeServices.layer)
  )

describe("usage errors: one line each", () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
    [["logs", "e1", "-x"], 'unknown flag -x for "agentctl logs" (did you mean -n or -f?)'],
    [["stop", "e1", "--timeout"], "--timeout needs a value"],
    [["stop", "e1", "--timeout", "soon"], 'invalid --timeout "soon": expected a duration such as 500ms, 5s or 2m'],
    [["logs", "e1", "-n", "abc"], 'invalid --lines "abc": expected a whole number of lines, 0 or more'],
    // one validation for both: `logs` and `launcher logs` share the flag
    [["logs", "e1", "-n", "-1"], 'invalid --lines "-1": expected a whole number of lines, 0 or more'],
    [["launcher", "logs", "-n", "-1"], 'invalid --lines "-1": expected a whole number of lines, 0 or more'],
    [["nosuchcommand"], 'unknown command "nosuchcommand" for "agentctl"'],
    [["launcher", "stat"], 'unknown command "stat" for "agentctl launcher" (did you mean start?)'],
    [["launcher", "status", "extra"], '"agentctl launcher status" takes no argument "extra"'],
    // ids are checked while parsing, before anything decides between launcher and daemonless
    [
      ["status", "Bad\x1b[2Jid"],
      `invalid <id> "Bad\\x1b[2Jid": an agent id is 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, with no '..'`
    ],
    [
      ["stop", "ok", "../etc"],
      `invalid <id> "../etc": an agent id is 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, with no '..'`
    ],
    [["logs", "e1", "--li\u202ees"], 'unknown flag --li\\u{202e}es for "agentctl logs" (did you mean --lines?)'],
    // add: the id like every other, each --env on its own, and a command to run
    [
      ["add", "../x", "--", "sleep", "600"],
      `invalid <id> "../x": an agent id is 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, with no '..'`
    ],
    [
      ["add", "a", "--env", "A=1", "--env", "1A=2", "--", "sleep"],
      `invalid --env "1A=2": expected KEY=VALUE, KEY being letters, digits, '_', '.' or '-', not starting with a digit`
    ],
    [
      ["add", "a", "--restart", "sometimes", "--", "x"],
      'invalid --restart "sometimes": "never" | "on-failure" | "always"'
    ],
    [["add", "a"], '"agentctl add" needs <command>'],
    [["add", "a", "--"], '"agentctl add" needs <command>'],
    [["init", "a", "b"], '"agentctl init" takes no argument "b"']
  ]
  for (const [argv, line] of cases) {
    it.effect(argv.join(" "), () =>
      Effect.gen(function* () {
        const said = yield* parseError(fullCommand, argv)
        assert.strictEqual(said, line)
        assert.notInclude(said, "\n")
        // the tree a run builds for these words (often only the one subcommand) says the same
        assert.strictEqual(yield* parseError(commandFor, argv), line)
      })
    )
  }
})

describe("the subcommand a command line names", () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string | undefined]> = [
    [["status", "s7"], "status"],
    [["--root", "/srv/fleet", "logs", "s7", "-n", "100"], "logs"],
    [["--root=/srv/fleet", "--json", "ls"], "ls"],
    // the value of a flag is not the subcommand, even when it is a command's name
    [["--root", "status", "ls"], "ls"],
    [["--log-level", "debug", "stop", "--all"], "stop"],
    [["launcher", "logs", "-n", "5"], "launcher"],
    // what follows `--` is the agent's command line, commands' names included
    [["--root", "/srv/fleet", "add", "a", "--", "ls", "--completions"], "add"],
    [["init", "/srv/fleet"], "init"],
    // these need the whole tree: root help, every command's completions, "did you mean"
    [[], undefined],
    [["--help"], undefined],
    [["--completions", "bash"], undefined],
    [["--completions=zsh"], undefined],
    [["stauts", "s7"], undefined],
    [["toString"], undefined]
  ]
  for (const [argv, name] of cases) {
    it(argv.join(" ") || "(nothing)", () => assert.strictEqual(subcommandOf(argv), name))
  }

  it.effect("each entry loads the command of its name", () =>
    Effect.gen(function* () {
      for (const [name, load] of Object.entries(subcommands)) {
        const load_: () => Promise<{ readonly name: string }> = load
        const command = yield* Effect.promise(load_)
        assert.strictEqual(command.name, name)
      }
    })
  )
})
