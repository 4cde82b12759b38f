import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { SpawnFailed } from "./Errors.ts"
import type { ResolvedLogSettings } from "./LogSettings.ts"
import type { ExitInfo } from "./Status.ts"

export interface SpawnRequest {
  readonly id: string
  /** argv[0] is looked up on PATH (of `env`); never a shell string. */
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  /** The complete environment (merged env + identity marker); nothing is inherited implicitly. */
  readonly env: Readonly<Record<string, string>>
  /** Without a launcher, stdout and stderr are appended here (a launcher's spawner captures them instead). */
  readonly logFile: string
  /** How the agent's output is rotated and cut, for a spawner that captures it. */
  readonly logs: ResolvedLogSettings
  /** Give it a readiness-notification descriptor (`notify: true`) as fd 3. */
  readonly notify: boolean
}

export interface ForegroundRequest {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
}

export interface Spawned {
  readonly pid: number
  /**
   * Completes when the process exits, with its code or signal. Only the process that spawned it
   * can see this (it is our child); a CLI that exits right after spawning never waits on it.
   */
  readonly exit: Effect.Effect<ExitInfo>
}

/** What a foreground process (a build step) says: its lines, then exactly one Exit, last. */
export type ProcessOutput =
  | { readonly _tag: "Line"; readonly stream: "stdout" | "stderr"; readonly line: string }
  /** `code` null: killed by `signal`. */
  | { readonly _tag: "Exit"; readonly code: number | null; readonly signal: string | null }

export class Spawner extends Context.Service<
  Spawner,
  {
    /** Start detached in a new session; returns once the process exists (or fails to). */
    readonly spawn: (req: SpawnRequest) => Effect.Effect<Spawned, SpawnFailed>
    /**
     * Run to completion (build steps), stdin closed: its stdout and stderr as lines, each stream
     * in the order it wrote them, then how it ended. Dropping the stream (Ctrl-C, a client
     * that hangs up) SIGTERMs the process.
     */
    readonly run: (req: ForegroundRequest) => Stream.Stream<ProcessOutput, SpawnFailed>
  }
>()("@agentctl/core/Spawner") {}
