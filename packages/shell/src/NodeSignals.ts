/**
 * Signals via kill(2). Identity checks are the caller's; this layer only refuses targets that can
 * never be an agent: pid/pgid <= 1 would hit init, or with kill(-1) every process we may signal.
 */
import { ProcessGone, SignalDenied, type SignalTarget } from "@agentctl/core/Errors"
import { Signals, type SignalName } from "@agentctl/core/Signals"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { errorCode } from "./errno.ts"

const kill = (
  target: number,
  signal: SignalName,
  kind: SignalTarget
): Effect.Effect<void, ProcessGone | SignalDenied> => {
  if (!Number.isSafeInteger(target) || target <= 1) return Effect.fail(SignalDenied.notAnAgent(kind, target, signal))
  return Effect.suspend((): Effect.Effect<void, ProcessGone | SignalDenied> => {
    try {
      process.kill(kind === "process" ? target : -target, signal)
      return Effect.void
    } catch (error) {
      if (errorCode(error) === "ESRCH") return Effect.fail(ProcessGone.at(kind, target, signal))
      return Effect.fail(SignalDenied.fromCause(kind, target, signal, error))
    }
  })
}

export const layer: Layer.Layer<Signals> = Layer.succeed(
  Signals,
  Signals.of({
    send: (pid, signal) => kill(pid, signal, "process"),
    sendGroup: (pgid, signal) => kill(pgid, signal, "process group")
  })
)
