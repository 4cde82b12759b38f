/**
 * The config `agentctl add` writes, as text: made by the yaml library (which quotes whatever
 * would read back as something else: `007`, `x: y`, `#no`, `-`, `true`) and then read back by
 * the fleet's own parser, so a file is written only when it loads as exactly what was asked.
 */
import type { RestartPolicy } from "@agentctl/core/AgentConfig"
import { parseAgentConfig } from "@agentctl/core/ConfigFile"
import { isDotenvKey } from "@agentctl/core/dotenv"
import * as Result from "effect/Result"
import { Document } from "yaml"

export interface NewAgent {
  readonly id: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  /** In the order given; only what was given is written (the rest keeps its default). */
  readonly env: ReadonlyArray<readonly [string, string]>
  readonly cwd: string | undefined
  readonly restart: RestartPolicy | undefined
}

/** `KEY=value` (the value may hold `=`, or be empty), with a key a `.env` could hold too. */
export const parseEnvAssignment = (raw: string): readonly [string, string] | undefined => {
  const at = raw.indexOf("=")
  if (at <= 0) return undefined
  const key = raw.slice(0, at)
  return isDotenvKey(key) ? [key, raw.slice(at + 1)] : undefined
}

export const envAssignmentExpected =
  "expected KEY=VALUE, KEY being letters, digits, '_', '.' or '-', not starting with a digit"

const sameList = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) =>
  a.length === b.length && a.every((x, i) => x === b[i])

const sameEnv = (a: Readonly<Record<string, string>>, b: ReadonlyArray<readonly [string, string]>) =>
  Object.keys(a).length === b.length && b.every(([k, v]) => Object.hasOwn(a, k) && a[k] === v)

/**
 * The text of `file` (in folder `dir`) for `agent`, or why it cannot be: the parser's message,
 * naming the file and field (`run.command: ...`), or the field that would not read back as given.
 */
export const newAgentConfig = (file: string, dir: string, agent: NewAgent): Result.Result<string, string> => {
  const run = {
    command: agent.command,
    args: [...agent.args],
    ...(agent.cwd === undefined ? {} : { cwd: agent.cwd }),
    ...(agent.env.length === 0 ? {} : { env: Object.fromEntries(agent.env) }),
    ...(agent.restart === undefined ? {} : { restart: agent.restart })
  }
  const doc = new Document({ agent: { id: agent.id, name: agent.id, enabled: true }, run })
  doc.commentBefore = " Written by agentctl add. Every key: the README, Configuration."
  const text = doc.toString({ lineWidth: 0 })

  const entry = parseAgentConfig(file, dir, text)
  if (entry._tag === "Invalid") return Result.fail(entry.error)
  const read = entry.spec.config
  const differs = [
    read.agent.id === agent.id ? [] : ["agent.id"],
    read.run.command === agent.command ? [] : ["run.command"],
    sameList(read.run.args, agent.args) ? [] : ["run.args"],
    agent.cwd === undefined || read.run.cwd === agent.cwd ? [] : ["run.cwd"],
    sameEnv(read.run.env, agent.env) ? [] : ["run.env"],
    agent.restart === undefined || read.run.restart === agent.restart ? [] : ["run.restart"]
  ].flat()
  return differs.length === 0
    ? Result.succeed(text)
    : Result.fail(`${file}: ${differs.join(", ")} would not read back as given`)
}
