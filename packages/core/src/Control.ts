import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { AgentEvent } from "./AgentEvent.ts"
import type { AgentRow, Supervisor } from "./AgentRow.ts"
import type {
  AgentNotFound,
  ConfigInvalid,
  FileError,
  FleetLocked,
  LauncherActive,
  LauncherUnreachable,
  ProbeFailed,
  SignalDenied,
  UsageError
} from "./Errors.ts"
import type { AgentHistory } from "./ExitHistory.ts"
import type {
  ApplyOptions,
  ApplyOutcome,
  KillOutcome,
  ReloadOutcome,
  StartOutcome,
  StopOutcome,
  ToggleOutcome
} from "./Outcomes.ts"

export type ControlError =
  | AgentNotFound
  | ConfigInvalid
  | FileError
  | ProbeFailed
  | SignalDenied
  | UsageError
  | FleetLocked
  | LauncherActive
  | LauncherUnreachable

/** Which agents an action is for: explicit ids, or `--all` (every enabled agent for start; every agent otherwise). */
export type Targets = { readonly _tag: "Ids"; readonly ids: ReadonlyArray<string> } | { readonly _tag: "All" }

/**
 * Fleet control as the CLI and the API see it. Two implementations: `Daemonless` (core programs
 * acting on the OS through Prober/Signals/Spawner) and the launcher's client (the same actions
 * sent over the control socket to the process that supervises the fleet).
 */
export class Control extends Context.Service<
  Control,
  {
    readonly supervisor: Supervisor
    readonly list: Effect.Effect<ReadonlyArray<AgentRow>, ControlError>
    readonly status: (id: string) => Effect.Effect<AgentRow, ControlError>
    /** Its last exits, newest first, and the restart count `ls` shows (`run/history/<id>.json`). */
    readonly history: (id: string) => Effect.Effect<AgentHistory, ControlError>
    readonly start: (targets: Targets) => Effect.Effect<ReadonlyArray<StartOutcome>, ControlError>
    /** `timeoutMs` overrides each agent's `stop_timeout`. */
    readonly stop: (targets: Targets, timeoutMs?: number) => Effect.Effect<ReadonlyArray<StopOutcome>, ControlError>
    readonly restart: (
      targets: Targets,
      timeoutMs?: number
    ) => Effect.Effect<ReadonlyArray<{ readonly stop: StopOutcome; readonly start: StartOutcome }>, ControlError>
    readonly kill: (targets: Targets) => Effect.Effect<ReadonlyArray<KillOutcome>, ControlError>
    readonly setEnabled: (id: string, enabled: boolean) => Effect.Effect<ToggleOutcome, ControlError>
    /** Re-read every config: start new or enabled agents, stop removed or disabled ones, restart changed ones. */
    readonly reload: Effect.Effect<ReloadOutcome, ControlError>
    /**
     * Bring what runs to what the files say (planApply.ts): start new and enabled agents, stop
     * removed and disabled ones, restart drifted ones, leave the rest alone; one outcome per agent.
     */
    readonly apply: (options: ApplyOptions) => Effect.Effect<ReadonlyArray<ApplyOutcome>, ControlError>
    /** Every state change from now on (the launcher's; nothing changes on its own without one). */
    readonly events: Stream.Stream<AgentEvent>
  }
>()("@agentctl/core/Control") {}
