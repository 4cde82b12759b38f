import * as Schema from "effect/Schema"
import { DurationMs } from "./configFields.ts"
import { FleetDefaults } from "./FleetDefaults.ts"
import { LogSettings } from "./LogSettings.ts"
import { withDefault } from "./withDefault.ts"

/** Restart backoff for the launcher: capped exponential with jitter, reset after a stable run, give up after K failures in a window. */
export const RestartSettings = Schema.Struct({
  initial_delay: withDefault(DurationMs, "1s"),
  max_delay: withDefault(DurationMs, "60s"),
  multiplier: withDefault(Schema.Number.check(Schema.isGreaterThanOrEqualTo(1)), 2),
  jitter: withDefault(Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 })), 0.1),
  stable_after: withDefault(DurationMs, "30s"),
  max_failures: withDefault(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)), 5),
  failure_window: withDefault(DurationMs, "60s"),
  /**
   * After a give-up, try again this long after it (then the normal backoff, from the start);
   * `never` leaves it given up until someone starts it. A crash loop that a restart of its
   * database, a network or a disk fixes heals without anyone (supervisord's FATAL does not).
   */
  cooldown: withDefault(Schema.Union([Schema.Literal("never"), DurationMs]), "10m")
})
export type RestartSettings = typeof RestartSettings.Type

export const ApiSettings = Schema.Struct({
  host: withDefault(Schema.String, "127.0.0.1"),
  port: withDefault(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 })), 7717)
})
export type ApiSettings = typeof ApiSettings.Type

/** `<root>/agentctl.yaml`; every key optional. */
export const FleetSettings = Schema.Struct({
  agents: withDefault(Schema.String, "agents/*/config.yaml"),
  env_file: withDefault(Schema.String, ".env"),
  build: withDefault(Schema.Array(Schema.String).check(Schema.isMinLength(1)), ["bash", "build.sh"]),
  restart: withDefault(RestartSettings, {}),
  api: withDefault(ApiSettings, {}),
  logs: withDefault(LogSettings, {}),
  /** Merged under every agent's config (FleetDefaults.ts). */
  defaults: withDefault(FleetDefaults, {})
})
export type FleetSettings = typeof FleetSettings.Type

export const defaultFleetSettings: FleetSettings = Schema.decodeUnknownSync(FleetSettings)({})
