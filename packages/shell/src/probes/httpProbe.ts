/** An `http` probe: a GET that must answer `status`, or any 2xx/3xx without one (Kubernetes' rule). */
import type { ProbeResult } from "@agentctl/core/ProbeResult"
import { trimOutput } from "./probeOutput.ts"

const bodyChars = 200

export const runHttpProbe = async (
  url: string,
  status: number | undefined,
  timeoutMs: number,
  signal: AbortSignal
): Promise<ProbeResult> => {
  const at = Date.now()
  const elapsed = () => Date.now() - at
  try {
    // Redirects are answers, not hops to follow: a 302 passes as Kubernetes has it.
    const response = await fetch(url, {
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
    })
    const body = (await response.text()).slice(0, bodyChars)
    const ok = status === undefined ? response.status >= 200 && response.status < 400 : response.status === status
    const expected = status === undefined ? "" : ` (expected ${status})`
    return {
      ok,
      at,
      ms: elapsed(),
      output: trimOutput(`HTTP ${response.status}${ok ? "" : expected}${body === "" ? "" : `: ${body}`}`),
      error: null
    }
  } catch (e) {
    const error = e as {
      readonly name?: string
      readonly cause?: { readonly code?: string; readonly message?: string }
    }
    const why =
      error.name === "TimeoutError"
        ? `no answer within ${timeoutMs}ms`
        : (error.cause?.code ?? error.cause?.message ?? (e instanceof Error ? e.message : String(e)))
    return { ok: false, at, ms: elapsed(), output: `GET ${url}: ${why}`, error: null }
  }
}
