import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** What /healthz reports about the process serving the API. */
export class ServerInfo extends Context.Service<
  ServerInfo,
  {
    readonly version: string
    readonly pid: number
    /** unix ms */
    readonly startedAt: number
  }
>()("@agentctl/api/ServerInfo") {
  static readonly layer = (version: string): Layer.Layer<ServerInfo> =>
    Layer.effect(
      ServerInfo,
      Effect.map(Clock.currentTimeMillis, (startedAt) => ServerInfo.of({ version, pid: process.pid, startedAt }))
    )
}
