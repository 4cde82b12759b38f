/**
 * An `http` probe: a GET that must answer `status`, or any 2xx/3xx without one (Kubernetes' rule).
 *
 * node:http, not fetch: the launcher runs V8 in lite mode, which has no WebAssembly, and fetch's
 * HTTP parser (undici's llhttp) is WebAssembly — under the launcher every fetch failed with
 * "WebAssembly is not defined". node:http's parser is native. One connection per probe, closed
 * after it (as Kubernetes does): a probe checks that the server still accepts, not that an old
 * keep-alive connection still works. node:http is taken on the first http probe, https on the
 * first https one: a command that never probes must not pay for them (an ES-module import of
 * node:http reads every export, and one of them loads fetch's undici: ~30 ms of a CLI start).
 */
import type { ProbeResult } from "@agentctl/core/ProbeResult"
import type { ClientRequest, IncomingMessage, RequestOptions } from "node:http"
import type { OnCancel } from "./onCancel.ts"
import { trimOutput } from "./probeOutput.ts"

const bodyChars = 200
/** Read no more of a body than this: the probe is judged by the status, the text is for people. */
const maxBodyBytes = 4096

type Get = (url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest

const getFor = (url: URL): Promise<Get> =>
  Promise.resolve().then(() =>
    url.protocol === "https:" ? process.getBuiltinModule("node:https").get : process.getBuiltinModule("node:http").get
  )

export const runHttpProbe = (
  url: string,
  status: number | undefined,
  timeoutMs: number,
  onCancel: OnCancel
): Promise<ProbeResult> =>
  new Promise((resolve) => {
    const at = Date.now()
    const target = new URL(url)
    let request: ClientRequest | undefined
    let response: IncomingMessage | undefined
    let settled = false
    const finish = (ok: boolean, output: string, error: string | null = null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      response?.destroy()
      request?.destroy()
      resolve({ ok, at, ms: Date.now() - at, output: trimOutput(output), error })
    }
    const timer = setTimeout(() => finish(false, `GET ${url}: no answer within ${timeoutMs}ms`), timeoutMs)
    onCancel(() => finish(false, `GET ${url}: cancelled`))

    const judge = (res: IncomingMessage, body: string) => {
      const code = res.statusCode ?? 0
      // Redirects are answers, not hops to follow: a 302 passes as Kubernetes has it.
      const ok = status === undefined ? code >= 200 && code < 400 : code === status
      const expected = ok || status === undefined ? "" : ` (expected ${status})`
      const said = body.slice(0, bodyChars)
      finish(ok, `HTTP ${code}${expected}${said === "" ? "" : `: ${said}`}`)
    }

    getFor(target).then(
      (get) => {
        if (settled) return
        request = get(target, { agent: false, headers: { "user-agent": "agentctl-probe" } }, (res) => {
          response = res
          const chunks: Array<Buffer> = []
          let kept = 0
          const body = () => Buffer.concat(chunks).toString("utf8").trim()
          res.on("data", (chunk: Buffer) => {
            chunks.push(chunk)
            kept += chunk.length
            if (kept >= maxBodyBytes) judge(res, body())
          })
          res.once("end", () => judge(res, body()))
          res.on("error", (e: NodeJS.ErrnoException) => finish(false, `GET ${url}: ${e.code ?? e.message}`))
        })
        // `on`, not `once`: destroying a request in flight can emit a second error after the first.
        request.on("error", (e: NodeJS.ErrnoException) => finish(false, `GET ${url}: ${e.code ?? e.message}`))
      },
      (e: unknown) => finish(false, "", `could not load the ${target.protocol.slice(0, -1)} client: ${String(e)}`)
    )
  })
