/**
 * `health:` in an agent's config: up to three probes, Kubernetes' semantics (README "Health").
 * Each probe is exactly one check — `exec` (argv, no shell), `http` (a URL, optionally the
 * `status` it must answer), `tcp` (`host:port` accepting a connection) or `log` (a line of the
 * agent's output matching a regular expression) — and how often and how strictly it is judged.
 */
import * as Schema from "effect/Schema"
import { DurationMs, ProcessScalar } from "./configFields.ts"
import { withDefault } from "./withDefault.ts"

const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/** A probe shorter than this would be the launcher's main work; longer periods are what people mean. */
const minPeriodMs = 100
const AtLeastPeriod = Schema.makeFilter((ms: number) =>
  ms >= minPeriodMs ? undefined : `expected at least ${minPeriodMs}ms, got ${ms}ms`
)
const AtLeastOneMs = Schema.makeFilter((ms: number) => (ms >= 1 ? undefined : "expected more than 0ms"))

const HttpUrl = Schema.String.check(
  Schema.makeFilter((s: string) => {
    const url = URL.parse(s)
    return url !== null && (url.protocol === "http:" || url.protocol === "https:")
      ? undefined
      : `expected an http:// or https:// URL, got ${JSON.stringify(s)}`
  })
)

/** `host:port`, host a name or an address (`[::1]:5432` for IPv6). */
export const parseTcpAddress = (s: string): { readonly host: string; readonly port: number } | undefined => {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(s.trim())
  if (m === null) return undefined
  const port = Number(m[2])
  if (port < 1 || port > 65535) return undefined
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port }
}

const TcpAddress = Schema.String.check(
  Schema.makeFilter((s: string) =>
    parseTcpAddress(s) === undefined ? `expected host:port such as 127.0.0.1:5432, got ${JSON.stringify(s)}` : undefined
  )
)

const LogPattern = Schema.String.check(
  Schema.makeFilter((s: string) => {
    if (s.length === 0) return "expected a regular expression, got an empty string"
    try {
      return RegExp(s) instanceof RegExp ? undefined : "not a regular expression"
    } catch (e) {
      return `not a regular expression: ${e instanceof Error ? e.message : String(e)}`
    }
  })
)

const checkKeys = ["exec", "http", "tcp", "log"] as const

export const ProbeSpec = Schema.Struct({
  exec: Schema.optional(Schema.Array(ProcessScalar).check(Schema.isMinLength(1))),
  http: Schema.optional(HttpUrl),
  /** With `http`: the status it must answer; without, any 2xx or 3xx passes (as in Kubernetes). */
  status: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 100, maximum: 599 }))),
  tcp: Schema.optional(TcpAddress),
  log: Schema.optional(LogPattern),
  period: withDefault(DurationMs.check(AtLeastPeriod), "10s"),
  timeout: withDefault(DurationMs.check(AtLeastOneMs), "1s"),
  failure_threshold: withDefault(PositiveInt, 3),
  success_threshold: withDefault(PositiveInt, 1),
  initial_delay: withDefault(DurationMs, "0s")
}).check(
  Schema.makeFilter((p) => {
    const given = checkKeys.filter((k) => p[k] !== undefined)
    if (given.length !== 1) {
      return `expected exactly one of exec, http, tcp or log, got ${given.length === 0 ? "none" : given.join(" and ")}`
    }
    return p.status !== undefined && p.http === undefined ? "status is only for an http probe" : undefined
  })
)
export type ProbeSpec = typeof ProbeSpec.Type

/** A line that once appeared stays appeared: as a liveness check it could never fail. */
const LivenessSpec = ProbeSpec.check(
  Schema.makeFilter((p) =>
    p.log === undefined
      ? undefined
      : "a log probe cannot tell liveness (a line once seen stays seen): use exec, http or tcp"
  )
)

export const HealthSpec = Schema.Struct({
  startup: Schema.optional(ProbeSpec),
  liveness: Schema.optional(LivenessSpec),
  readiness: Schema.optional(ProbeSpec)
})
export type HealthSpec = typeof HealthSpec.Type

export const ProbeKind = Schema.Literals(["startup", "liveness", "readiness"])
export type ProbeKind = typeof ProbeKind.Type

/** The probes an agent has, in the order they come into play. */
export const probesOf = (health: HealthSpec): ReadonlyArray<readonly [ProbeKind, ProbeSpec]> =>
  ProbeKind.literals.flatMap((kind) => {
    const probe = health[kind]
    return probe === undefined ? [] : [[kind, probe] as const]
  })

/** The probe's check in one line, for `status` and events: `exec test -f alive`, `http http://…`. */
export const describeCheck = (p: ProbeSpec): string =>
  p.exec !== undefined
    ? `exec ${p.exec.join(" ")}`
    : p.http !== undefined
      ? `http ${p.http}${p.status === undefined ? "" : ` (status ${p.status})`}`
      : p.tcp !== undefined
        ? `tcp ${p.tcp}`
        : `log /${p.log ?? ""}/`
