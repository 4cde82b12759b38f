import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { ProcessGone, SignalDenied } from "./Errors.ts"

export type SignalName = "SIGTERM" | "SIGINT" | "SIGHUP" | "SIGQUIT" | "SIGUSR1" | "SIGUSR2" | "SIGKILL"

/** kill(2). Callers check identity (pid + start time) before calling: this layer only sends. */
export class Signals extends Context.Service<
  Signals,
  {
    readonly send: (pid: number, signal: SignalName) => Effect.Effect<void, ProcessGone | SignalDenied>
    /** Signal a whole process group (an agent's session: wrappers and their children). */
    readonly sendGroup: (pgid: number, signal: SignalName) => Effect.Effect<void, ProcessGone | SignalDenied>
  }
>()("@agentctl/core/Signals") {}
