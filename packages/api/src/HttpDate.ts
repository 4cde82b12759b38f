/**
 * The `Date` header of the API's responses, formatted here instead of by node:http. Node formats
 * it with `Date.prototype.toUTCString`, and V8 answers that (and `toISOString`) only after
 * loading ICU's time-zone data: about 1 MiB of the launcher's RSS, for a header whose fields are
 * all UTC. The UTC getters need no zone, so this formats the same IMF-fixdate from them.
 */
import { IncomingMessage, ServerResponse } from "node:http"

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`)

/** RFC 9110's IMF-fixdate of `ms` (unix milliseconds), e.g. `Wed, 02 Dec 2026 12:04:17 GMT`. */
export const httpDate = (ms: number): string => {
  const d = new Date(ms)
  const year = d.getUTCFullYear()
  const yyyy = year < 0 ? `-${String(-year).padStart(6, "0")}` : String(year).padStart(4, "0")
  return `${days[d.getUTCDay()]}, ${two(d.getUTCDate())} ${months[d.getUTCMonth()]} ${yyyy} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`
}

/** One formatted date per second, as node:http keeps its own: a busy API formats it once a second. */
let cached = { second: Number.NaN, text: "" }
const dateNow = (): string => {
  const now = Date.now()
  const second = Math.floor(now / 1000)
  if (second !== cached.second) cached = { second, text: httpDate(now) }
  return cached.text
}

/** node:http's response with our `Date` header in place of node's. */
export class DatedResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  constructor(request: Request) {
    super(request)
    this.sendDate = false
    this.setHeader("Date", dateNow())
  }
}
