/**
 * Signals via kill(2). Identity checks are the caller's; this layer only refuses targets that can
 * never be an agent: pid/pgid <= 1 would hit init, or with kill(-1) every process we may signal.
 */
import { ProcessGone, SignalDenied } from "@agentctl/core/Errors"
import { Signals, type SignalName } from "@agentctl/core/Signals"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { errorCode } from "./errno.ts"

const kill = (
  target: number,
  signal: SignalName,
  kind: "process" | "process group"
): Effect.Effect<void, ProcessGone | SignalDenied> => {
  const what = `${kind} ${target}`
  if (!Number.isSafeInteger(target) || target <= 1) {
    return Effect.fail(
      new SignalDenied({
        // The error's pid must be an integer; the message keeps the value we were given.
        pid: Number.isSafeInteger(target) ? target : 0,
        signal,
        message: `refusing to send ${signal} to ${what}: not an agent's id`
      })
    )
  }
  return Effect.suspend((): Effect.Effect<void, ProcessGone | SignalDenied> => {
    try {
      process.kill(kind === "process" ? target : -target, signal)
      return Effect.void
    } catch (error) {
      const code = errorCode(error)
      if (code === "ESRCH") {
        return Effect.fail(new ProcessGone({ pid: target, message: `cannot send ${signal}: ${what} does not exist` }))
      }
      const reason = code === "EPERM" ? "permission denied" : error instanceof Error ? error.message : String(error)
      return Effect.fail(
        new SignalDenied({ pid: target, signal, message: `cannot send ${signal} to ${what}: ${reason}` })
      )
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
