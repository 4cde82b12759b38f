import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import type { TestFleet } from "./fleetHarness.ts"
import { waitFor } from "./fleetHarness.ts"

/*
 * The launcher's HTTP API from the outside, over TCP as any client sees it: plain node:http,
 * with the token from run/api.token.
 */

export interface Api {
  readonly port: number
  readonly token: string
  /** The launcher's pid. */
  readonly pid: number
}

export interface Reply {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** A free-looking port away from 7717 (the acceptance checks use that one). */
const randomPort = () => 20_000 + Math.floor(Math.random() * 20_000)

/** `launcher start` with the API on a port of its own; resolves once /healthz answers. */
export const startLauncher = async (fleet: TestFleet, settings = ""): Promise<Api> => {
  const port = randomPort()
  fleet.write("agentctl.yaml", `api:\n  port: ${port}\n${settings}`)
  const started = await fleet.run("launcher", "start")
  if (started.code !== 0) throw new Error(`launcher start failed: ${started.stderr}`)
  const status = await fleet.json<{ pid: number | null }>("launcher", "status")
  if (status.pid === null) throw new Error("launcher status names no pid")
  await waitFor(async () => (await request({ port, token: "" }, "GET", "/healthz").catch(() => null))?.status === 200)
  const token = fs.readFileSync(path.join(fleet.root, "run", "api.token"), "utf8").trim()
  return { port, token, pid: status.pid }
}

/** One request; resolves with the whole reply. */
export const request = (
  api: Pick<Api, "port" | "token">,
  method: string,
  route: string,
  headers: Readonly<Record<string, string>> = {}
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: api.port,
        method,
        path: route,
        headers: api.token === "" ? headers : { authorization: `Bearer ${api.token}`, ...headers }
      },
      (res) => {
        let body = ""
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        res.on("error", reject)
      }
    )
    req.on("error", reject).end()
  })

/** A request whose reply is read as it comes; `abandon` hangs up before the reply is complete. */
export const openRequest = (api: Pick<Api, "port" | "token">, method: string, route: string) => {
  let text = ""
  const req = http.request({
    host: "127.0.0.1",
    port: api.port,
    method,
    path: route,
    headers: { authorization: `Bearer ${api.token}` }
  })
  const headers = new Promise<http.IncomingMessage>((resolve) => req.once("response", resolve))
  /** How the reply ended: `complete` only when the body was whole (a chunked body's last chunk came). */
  const ended = new Promise<"complete" | "cut">((resolve) => {
    req.once("error", () => resolve("cut"))
    req.once("response", (res: http.IncomingMessage) => {
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk))
      res.on("error", () => resolve("cut"))
      res.on("close", () => resolve(res.complete ? "complete" : "cut"))
    })
  })
  req.end()
  return { headers, ended, text: () => text, abandon: () => void req.destroy() }
}

/** Resident set size of a process, in MiB. */
export const rssMiB = (pid: number): number => {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(kb) / 1024
}
