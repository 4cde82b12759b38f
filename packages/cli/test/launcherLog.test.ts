import { assert, describe, it } from "@effect/vitest"
import { formatLine, parseLines, tcpFailureOf } from "../src/launcher/launcherLog.ts"

/*
 * The launcher's log lines: one schema, written by the launcher and read by `launcher start`
 * (which learns from them whether the TCP listener came up).
 */

const started = (pid: number, at: number) =>
  formatLine(at, { event: "launcher-started", pid, root: "/f", version: "0.1.0" })
const tcpFailed = (at: number) =>
  formatLine(at, {
    event: "api-failed",
    listener: "tcp",
    address: "127.0.0.1:7717",
    code: "EADDRINUSE",
    message: "listen EADDRINUSE: address already in use 127.0.0.1:7717"
  })
const agentEvent =
  '{"seq":1,"at":5,"id":"a1","status":"running","detail":{"_tag":"Running","pid":9,"instances":1,"startedAt":5},"message":"running"}'

describe("the launcher's log lines", () => {
  it("are JSON, one object per line, with the time first", () => {
    assert.strictEqual(
      started(42, 1000),
      '{"at":1000,"event":"launcher-started","pid":42,"root":"/f","version":"0.1.0"}'
    )
  })

  it("parse back; agent events and stray output (a crash on stderr) are not the launcher's", () => {
    const lines = parseLines([started(42, 1), agentEvent, "agentctl launcher: boom", "", "{not json", tcpFailed(2)])
    assert.deepStrictEqual(
      lines.map((l) => l.event),
      ["launcher-started", "api-failed"]
    )
  })

  it("a TCP failure counts for the launcher that logged it after its own start", () => {
    const log = parseLines([started(41, 1), tcpFailed(2), started(42, 3), agentEvent])
    assert.isNull(tcpFailureOf(log, 42))
    assert.strictEqual(tcpFailureOf(log, 41)?.code, "EADDRINUSE")
    const now = parseLines([started(41, 1), started(42, 3), tcpFailed(4)])
    assert.deepInclude(tcpFailureOf(now, 42), { address: "127.0.0.1:7717", code: "EADDRINUSE" })
  })

  it("a socket failure is not a TCP failure; a pid that never started has none", () => {
    const socket = formatLine(2, {
      event: "api-failed",
      listener: "socket",
      address: "/f/run/launcher.sock",
      code: "EACCES",
      message: "EACCES"
    })
    const log = parseLines([started(42, 1), socket])
    assert.isNull(tcpFailureOf(log, 42))
    assert.isNull(tcpFailureOf(log, 7))
  })
})
