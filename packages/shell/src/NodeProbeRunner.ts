/**
 * Probes on this host: exec (child processes, no shell), http (a node:http GET), tcp (a connect), and log
 * probes over the agent's records (AgentLogs), so the launcher and a daemonless `check` read the
 * same lines.
 */
import { AgentLogs } from "@agentctl/core/AgentLogs"
import { parseTcpAddress } from "@agentctl/core/HealthSpec"
import type { ProbeResult } from "@agentctl/core/ProbeResult"
import { ProbeRunner, type ProbeTarget } from "@agentctl/core/ProbeRunner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { runExecProbe } from "./probes/execProbe.ts"
import { runHttpProbe } from "./probes/httpProbe.ts"
import type { OnCancel } from "./probes/onCancel.ts"
import { trimOutput } from "./probes/probeOutput.ts"
import { runTcpProbe } from "./probes/tcpProbe.ts"

/** A probe cancelled before it handed over its cancel: nothing is running yet to stop. */
const notStarted = () => {}

/** A promise-returning probe as an Effect that, interrupted, aborts it (an exec probe's group is killed). */
const aborting = (run: (onCancel: OnCancel) => Promise<ProbeResult>) =>
  Effect.callback<ProbeResult>((resume) => {
    let cancel: () => void = notStarted
    const at = Date.now()
    run((f) => (cancel = f)).then(
      (r) => resume(Effect.succeed(r)),
      // A probe that throws is our bug, not the agent failing: shown as the probe's error in status,
      // rather than a fiber that never resumes and a rejection nobody handles.
      (e: unknown) =>
        resume(
          Effect.succeed({ ok: false, at, ms: Date.now() - at, output: "", error: `the probe crashed: ${String(e)}` })
        )
    )
    return Effect.sync(() => cancel())
  })

const logQuery = (since: number | null) => ({ tail: null, since, until: null, stream: null, afterSeq: null })

const matched = (at: number, text: string): ProbeResult => ({
  ok: true,
  at,
  ms: Date.now() - at,
  output: trimOutput(text),
  error: null
})
const unreadable = (at: number, message: string): ProbeResult => ({
  ok: false,
  at,
  ms: Date.now() - at,
  output: "",
  error: `could not read the agent's log: ${message}`
})

export const make = Effect.gen(function* () {
  const logs = yield* AgentLogs

  const logOnce = (target: ProbeTarget) =>
    Effect.gen(function* () {
      const at = Date.now()
      const pattern = new RegExp(target.probe.log!)
      const read = yield* Effect.result(logs.read(target.id, logQuery(target.since)))
      if (read._tag === "Failure") return unreadable(at, read.failure.message)
      const hit = read.success.find((r) => pattern.test(r.text))
      return hit === undefined
        ? { ok: false, at, ms: Date.now() - at, output: `no line matching /${target.probe.log}/ yet`, error: null }
        : matched(at, hit.text)
    })

  const run = (target: ProbeTarget): Effect.Effect<ProbeResult> => {
    const { probe } = target
    if (probe.exec !== undefined) {
      return aborting((onCancel) =>
        runExecProbe({ argv: probe.exec!, cwd: target.cwd, env: target.env, timeoutMs: probe.timeout }, onCancel)
      )
    }
    if (probe.http !== undefined)
      return aborting((onCancel) => runHttpProbe(probe.http!, probe.status, probe.timeout, onCancel))
    if (probe.tcp !== undefined) {
      // Checked when the config was decoded.
      const { host, port } = parseTcpAddress(probe.tcp)!
      return aborting((onCancel) => runTcpProbe(host, port, probe.timeout, onCancel))
    }
    return logOnce(target)
  }

  const awaitLine = (target: ProbeTarget): Effect.Effect<ProbeResult> =>
    Effect.gen(function* () {
      const at = Date.now()
      const pattern = new RegExp(target.probe.log!)
      const hit = yield* logs.follow(target.id, logQuery(target.since)).pipe(
        Stream.filter((r) => pattern.test(r.text)),
        Stream.runHead,
        Effect.result
      )
      if (hit._tag === "Failure") return unreadable(at, hit.failure.message)
      // The follow never ends without an error: an empty head is a stream closed under us.
      return hit.success._tag === "Some" ? matched(at, hit.success.value.text) : unreadable(at, "the log ended")
    })

  return ProbeRunner.of({ run, awaitLine })
})

export const layer = Layer.effect(ProbeRunner, make)
