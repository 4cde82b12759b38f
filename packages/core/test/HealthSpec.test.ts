import { describe, expect, it } from "@effect/vitest"
import { parseAgentConfig } from "../src/ConfigFile.ts"
import { describeCheck, parseTcpAddress, probesOf } from "../src/HealthSpec.ts"

const config = (rest: string) => `agent: { id: a }\nrun: { command: x }\n${rest}`
const decode = (rest: string) => parseAgentConfig("a.yaml", ".", config(rest))
const errorOf = (rest: string) => {
  const e = decode(rest)
  return e._tag === "Invalid" ? e.error : "(valid)"
}

describe("health: probes", () => {
  it("Kubernetes' defaults, durations in ms", () => {
    const e = decode("health:\n  liveness: { exec: [test, -f, alive] }\n")
    expect(e._tag === "Valid" && e.spec.config.health).toEqual({
      liveness: {
        exec: ["test", "-f", "alive"],
        period: 10_000,
        timeout: 1000,
        failure_threshold: 3,
        success_threshold: 1,
        initial_delay: 0
      }
    })
  })

  it.each([
    ["liveness: { log: ready }", "health.liveness: a log probe cannot tell liveness"],
    [
      'startup: { exec: [a], http: "http://x" }',
      "health.startup: expected exactly one of exec, http, tcp or log, got exec and http"
    ],
    ["readiness: { period: 2s }", "health.readiness: expected exactly one of exec, http, tcp or log, got none"],
    ["readiness: { tcp: nohost }", 'health.readiness.tcp: expected host:port such as 127.0.0.1:5432, got "nohost"'],
    ["readiness: { tcp: 'x:70000' }", "health.readiness.tcp: expected host:port"],
    ['readiness: { http: "ftp://x" }', 'health.readiness.http: expected an http:// or https:// URL, got "ftp://x"'],
    ["readiness: { tcp: 'x:1', status: 200 }", "health.readiness: status is only for an http probe"],
    ["readiness: { log: '(' }", "health.readiness.log: not a regular expression"],
    ["readiness: { log: '' }", "health.readiness.log: expected a regular expression, got an empty string"],
    ["startup: { tcp: 'a:1', period: 1ms }", "health.startup.period: expected at least 100ms, got 1ms"],
    ["startup: { tcp: 'a:1', timeout: 0 }", "health.startup.timeout: expected more than 0ms"],
    ["startup: { tcp: 'a:1', failure_threshold: 0 }", "health.startup.failure_threshold"],
    ["startup: { exec: [] }", "health.startup.exec"]
  ])("%s → %s", (probe, message) => {
    expect(errorOf(`health:\n  ${probe}\n`)).toContain(message)
  })

  it.each([
    ["127.0.0.1:5432", { host: "127.0.0.1", port: 5432 }],
    ["db.local:1", { host: "db.local", port: 1 }],
    ["[::1]:8080", { host: "::1", port: 8080 }],
    ["x:0", undefined],
    ["x:65536", undefined],
    ["::1:80", undefined],
    ["x", undefined]
  ])("parseTcpAddress(%s)", (input, expected) => {
    expect(parseTcpAddress(input)).toEqual(expected)
  })

  it("probesOf keeps the order they come into play; describeCheck says each in one line", () => {
    const e = decode(
      'health:\n  readiness: { log: "listening on \\\\d+" }\n  liveness: { http: "http://127.0.0.1:8080/healthz", status: 204 }\n  startup: { tcp: "127.0.0.1:1" }\n'
    )
    if (e._tag !== "Valid") throw new Error(e.error)
    expect(probesOf(e.spec.config.health).map(([kind, p]) => [kind, describeCheck(p)])).toEqual([
      ["startup", "tcp 127.0.0.1:1"],
      ["liveness", "http http://127.0.0.1:8080/healthz (status 204)"],
      ["readiness", "log /listening on \\d+/"]
    ])
  })
})

describe("depends_on", () => {
  it("the short and the long form decode alike", () => {
    const e = decode("depends_on: { db: ready, migrate: { condition: completed, restart: true, timeout: 2m } }\n")
    expect(e._tag === "Valid" && e.spec.config.depends_on).toEqual({
      db: { condition: "ready", restart: false, timeout: 60_000 },
      migrate: { condition: "completed", restart: true, timeout: 120_000 }
    })
  })

  it.each([
    ['depends_on: { "../x": started }', 'depends_on: not an agent id: "../x"'],
    ["depends_on: { db: readyy }", "depends_on.db"],
    ["depends_on: { db: { restart: 1 } }", "depends_on.db.restart"],
    ["depends_on: [db]", "depends_on"]
  ])("%s → %s", (yaml, message) => {
    expect(errorOf(`${yaml}\n`)).toContain(message)
  })
})

describe("run.max_memory", () => {
  it.each([
    ["512MiB", 512 * 1024 * 1024],
    ["1GiB", 1024 ** 3]
  ])("%s", (size, bytes) => {
    const m = parseAgentConfig("a.yaml", ".", `agent: { id: a }\nrun: { command: x, max_memory: ${size} }\n`)
    expect(m._tag === "Valid" && m.spec.config.run.max_memory).toBe(bytes)
  })

  it("a limit below 1MiB is refused, naming the field", () => {
    const m = parseAgentConfig("a.yaml", ".", "agent: { id: a }\nrun: { command: x, max_memory: 10 }\n")
    expect(m._tag === "Invalid" && m.error).toContain("run.max_memory: expected at least 1MiB, got 10B")
  })
})
