import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import { Api } from "./Api.ts"
import { ServerInfo } from "./ServerInfo.ts"

export const SystemLive = HttpApiBuilder.group(
  Api,
  "system",
  Effect.fn("SystemLive")(function* (handlers) {
    const info = yield* ServerInfo
    return handlers.handle("health", () =>
      Effect.map(Clock.currentTimeMillis, (now) => ({
        status: "ok" as const,
        version: info.version,
        pid: info.pid,
        uptime: Math.max(0, (now - info.startedAt) / 1000)
      }))
    )
  })
)
