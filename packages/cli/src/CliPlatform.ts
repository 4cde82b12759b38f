import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeStdio from "@effect/platform-node/NodeStdio"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import { ChildProcessSpawner } from "effect/process/ChildProcessSpawner"
import * as ChildProcessSpawnerModule from "effect/process/ChildProcessSpawner"
import * as Stream from "effect/Stream"
import * as Terminal from "effect/Terminal"

/*
 * What effect/cli requires of a program (Command.Environment): Path and Stdio as they are, and
 * the file system, terminal and child-process spawner loaded on their first use. The parser
 * uses the terminal only for `--wizard` prompts and the file system only for file arguments
 * (agentctl has none); agentctl's commands use none of the three (its shell layers call node
 * directly). Loaded up front they cost every command node:crypto, node:readline and the
 * spawner's streams, ~30 ms of a 300 ms start (measured with `status --help`).
 */

/** A service built from its Node layer once, on first use. */
const onFirstUse = <S>(load: () => Promise<Effect.Effect<S>>) => {
  let built: Promise<S> | undefined
  return Effect.promise(() => (built ??= load().then(Effect.runPromise)))
}

const nodeFileSystem = onFirstUse(() =>
  import("@effect/platform-node/NodeFileSystem").then((m) =>
    Effect.provide(Effect.service(FileSystem.FileSystem), m.layer)
  )
)
const nodeTerminal = onFirstUse(() =>
  import("@effect/platform-node/NodeTerminal").then((m) => Effect.provide(Effect.service(Terminal.Terminal), m.layer))
)
// The spawner resolves commands with the file system and path it is given: these, here too.
const nodeSpawner = onFirstUse(() =>
  import("@effect/platform-node/NodeChildProcessSpawner").then((m) =>
    Effect.provide(
      Effect.service(ChildProcessSpawner),
      Layer.provide(m.layer, Layer.mergeAll(NodePath.layer, Layer.succeed(FileSystem.FileSystem, lazyFileSystem)))
    )
  )
)

const fs = <A, E, R>(f: (real: FileSystem.FileSystem) => Effect.Effect<A, E, R>) => Effect.flatMap(nodeFileSystem, f)

/** The file system, each call made by NodeFileSystem once loaded; `make` derives the rest. */
const lazyFileSystem = FileSystem.make({
  access: (...a) => fs((real) => real.access(...a)),
  copy: (...a) => fs((real) => real.copy(...a)),
  copyFile: (...a) => fs((real) => real.copyFile(...a)),
  chmod: (...a) => fs((real) => real.chmod(...a)),
  chown: (...a) => fs((real) => real.chown(...a)),
  link: (...a) => fs((real) => real.link(...a)),
  lstat: (...a) => fs((real) => real.lstat(...a)),
  makeDirectory: (...a) => fs((real) => real.makeDirectory(...a)),
  makeTempDirectory: (...a) => fs((real) => real.makeTempDirectory(...a)),
  makeTempDirectoryScoped: (...a) => fs((real) => real.makeTempDirectoryScoped(...a)),
  makeTempFile: (...a) => fs((real) => real.makeTempFile(...a)),
  makeTempFileScoped: (...a) => fs((real) => real.makeTempFileScoped(...a)),
  open: (...a) => fs((real) => real.open(...a)),
  readDirectory: (...a) => fs((real) => real.readDirectory(...a)),
  readDirectoryEntries: (...a) => fs((real) => real.readDirectoryEntries(...a)),
  readFile: (...a) => fs((real) => real.readFile(...a)),
  readLink: (...a) => fs((real) => real.readLink(...a)),
  realPath: (...a) => fs((real) => real.realPath(...a)),
  remove: (...a) => fs((real) => real.remove(...a)),
  rename: (...a) => fs((real) => real.rename(...a)),
  stat: (...a) => fs((real) => real.stat(...a)),
  symlink: (...a) => fs((real) => real.symlink(...a)),
  truncate: (...a) => fs((real) => real.truncate(...a)),
  utimes: (...a) => fs((real) => real.utimes(...a)),
  writeFile: (...a) => fs((real) => real.writeFile(...a)),
  watch: (...args) => Stream.unwrap(Effect.map(nodeFileSystem, (real) => real.watch(...args)))
})

const lazyTerminal = Terminal.make({
  columns: Effect.flatMap(nodeTerminal, (t) => t.columns),
  rows: Effect.flatMap(nodeTerminal, (t) => t.rows),
  size: Effect.flatMap(nodeTerminal, (t) => t.size),
  readInput: Effect.flatMap(nodeTerminal, (t) => t.readInput),
  readLine: Effect.flatMap(nodeTerminal, (t) => t.readLine),
  display: (text) => Effect.flatMap(nodeTerminal, (t) => t.display(text))
})

const lazySpawner = ChildProcessSpawnerModule.make((command) =>
  Effect.flatMap(nodeSpawner, (spawner) => spawner.spawn(command))
)

export const layer = Layer.mergeAll(
  NodePath.layer,
  NodeStdio.layer,
  Layer.succeed(FileSystem.FileSystem, lazyFileSystem),
  Layer.succeed(Terminal.Terminal, lazyTerminal),
  Layer.succeed(ChildProcessSpawner, lazySpawner)
)
