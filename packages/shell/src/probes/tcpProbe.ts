/** A `tcp` probe: a connection accepted within the timeout, closed at once. */
import type { ProbeResult } from "@agentctl/core/ProbeResult"
import * as net from "node:net"
import type { OnCancel } from "./onCancel.ts"

export const runTcpProbe = (host: string, port: number, timeoutMs: number, onCancel: OnCancel): Promise<ProbeResult> =>
  new Promise((resolve) => {
    const at = Date.now()
    const address = `${host.includes(":") ? `[${host}]` : host}:${port}`
    const socket = net.connect({ host, port })
    let settled = false
    const done = (ok: boolean, output: string) => {
      if (settled) return
      settled = true
      socket.destroy()
      resolve({ ok, at, ms: Date.now() - at, output, error: null })
    }
    socket.setTimeout(timeoutMs, () => done(false, `no connection to ${address} within ${timeoutMs}ms`))
    socket.once("connect", () => done(true, `connected to ${address}`))
    // `on`: a socket destroyed while connecting may report a second error after the first.
    socket.on("error", (e: NodeJS.ErrnoException) => done(false, `${address}: ${e.code ?? e.message}`))
    onCancel(() => done(false, "cancelled"))
  })
