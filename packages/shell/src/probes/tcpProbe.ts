/** A `tcp` probe: a connection accepted within the timeout, closed at once. */
import type { ProbeResult } from "@agentctl/core/ProbeResult"
import * as net from "node:net"

export const runTcpProbe = (host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> =>
  new Promise((resolve) => {
    const at = Date.now()
    const address = `${host.includes(":") ? `[${host}]` : host}:${port}`
    const socket = net.connect({ host, port, signal })
    const done = (ok: boolean, output: string) => {
      socket.destroy()
      resolve({ ok, at, ms: Date.now() - at, output, error: null })
    }
    socket.setTimeout(timeoutMs, () => done(false, `no connection to ${address} within ${timeoutMs}ms`))
    socket.once("connect", () => done(true, `connected to ${address}`))
    socket.once("error", (e: NodeJS.ErrnoException) => done(false, `${address}: ${e.code ?? e.message}`))
  })
