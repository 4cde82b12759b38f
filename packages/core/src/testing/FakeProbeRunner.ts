import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import { getOrCreate } from "../getOrCreate.ts"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ProbeKind } from "../HealthSpec.ts"
import type { ProbeResult } from "../ProbeResult.ts"
import { ProbeRunner, type ProbeTarget } from "../ProbeRunner.ts"
import { ReadinessNotices } from "../ReadinessNotices.ts"

/** What a scripted probe answers: passes, fails with an output, cannot run, or hangs. */
export type Answer =
  | { readonly _tag: "Pass" }
  | { readonly _tag: "Fail"; readonly output: string }
  | { readonly _tag: "Error"; readonly error: string }
  | { readonly _tag: "Hang" }

export const pass: Answer = { _tag: "Pass" }
export const fail = (output = "exit code 1"): Answer => ({ _tag: "Fail", output })

/**
 * Probes in memory: each (agent, kind) answers what the test set (Pass until told otherwise),
 * taking no time; `log` probes wait for `emitLine`, notifications for `notify`. Every run is
 * recorded with its time.
 */
export class FakeProbes extends Context.Service<
  FakeProbes,
  {
    readonly answer: (id: string, kind: ProbeKind, answer: Answer) => Effect.Effect<void>
    /** The agent printed a line its log probes match. */
    readonly emitLine: (id: string) => Effect.Effect<void>
    /** The agent wrote its readiness notification (`notify: true`), now. */
    readonly notify: (id: string) => Effect.Effect<void>
    /** Times (ms) the probe of this kind ran. */
    readonly runs: (id: string, kind: ProbeKind) => Effect.Effect<ReadonlyArray<number>>
    readonly targets: Effect.Effect<ReadonlyArray<ProbeTarget>>
  }
>()("@agentctl/core/testing/FakeProbes") {}

const keyOf = (id: string, kind: ProbeKind) => `${id}/${kind}`
const result = (at: number, answer: Answer): ProbeResult => ({
  ok: answer._tag === "Pass",
  at,
  ms: 0,
  output: answer._tag === "Fail" ? answer.output : answer._tag === "Pass" ? "ok" : "",
  error: answer._tag === "Error" ? answer.error : null
})

export const layer = Layer.effectContext(
  Effect.sync(() => {
    const answers = new Map<string, Answer>()
    const runs: Array<{ readonly key: string; readonly at: number; readonly target: ProbeTarget }> = []
    const lines = new Map<string, Deferred.Deferred<void>>()
    const notices = new Map<string, Deferred.Deferred<number>>()
    const noticeOf = (id: string) => getOrCreate(notices, id, () => Deferred.makeUnsafe<number>())
    const lineOf = (id: string) => getOrCreate(lines, id, () => Deferred.makeUnsafe<void>())
    const runner = ProbeRunner.of({
      run: (target) =>
        Effect.gen(function* () {
          const at = yield* Clock.currentTimeMillis
          runs.push({ key: keyOf(target.id, target.kind), at, target })
          const answer = answers.get(keyOf(target.id, target.kind)) ?? pass
          if (answer._tag === "Hang") return yield* Effect.never
          return result(at, answer)
        }),
      awaitLine: (target) =>
        Effect.gen(function* () {
          runs.push({ key: keyOf(target.id, target.kind), at: yield* Clock.currentTimeMillis, target })
          yield* Deferred.await(lineOf(target.id))
          return result(yield* Clock.currentTimeMillis, pass)
        })
    })
    const probes = FakeProbes.of({
      answer: (id, kind, answer) => Effect.sync(() => void answers.set(keyOf(id, kind), answer)),
      emitLine: (id) => Deferred.succeed(lineOf(id), undefined).pipe(Effect.asVoid),
      notify: (id) =>
        Effect.flatMap(Clock.currentTimeMillis, (at) => Deferred.succeed(noticeOf(id), at)).pipe(Effect.asVoid),
      runs: (id, kind) => Effect.sync(() => runs.filter((r) => r.key === keyOf(id, kind)).map((r) => r.at)),
      targets: Effect.sync(() => runs.map((r) => r.target))
    })
    // Fine for tests that notify after the instance started: a notice before `since` is not kept apart.
    const readiness = ReadinessNotices.of({ await: (id) => Deferred.await(noticeOf(id)) })
    return Context.make(ProbeRunner, runner).pipe(
      Context.add(FakeProbes, probes),
      Context.add(ReadinessNotices, readiness)
    )
  })
)
