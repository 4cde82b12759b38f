/**
 * The launcher's side of readiness notifications (`notify: true`): a FIFO per agent,
 * run/notify/<id>.fifo, that the agent holds open read-write as fd 3 (so it never gets SIGPIPE,
 * even with no launcher reading) and the launcher drains. A newline is a notification; what
 * comes before it is ignored, as s6 has it.
 */
import { ReadinessNotices } from "@agentctl/core/ReadinessNotices"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as net from "node:net"
import { ensureFifo, isFifo } from "./internal/fifo.ts"

const NEWLINE = 0x0a

export const noticeFifo = (runDir: string, id: string): string => `${runDir}/notify/${id}.fifo`

interface Waiter {
  readonly since: number
  readonly resolve: (at: number) => void
}

export class ReadyNotices {
  private readonly runDir: string
  private readonly now: () => number
  private readonly readers = new Map<string, net.Socket>()
  /** The latest notification of each agent, unix ms. */
  private readonly latest = new Map<string, number>()
  private readonly waiters = new Map<string, Set<Waiter>>()
  /** Descriptors handed out per agent: a reader that ends after one was handed out reads again. */
  private readonly handedOut = new Map<string, number>()
  private closing = false

  private constructor(runDir: string, now: () => number) {
    this.runDir = runDir
    this.now = now
  }

  /** Reads the FIFOs agents still hold (adopted ones may notify later), from now on. */
  static open(runDir: string, now: () => number = Date.now): ReadyNotices {
    const notices = new ReadyNotices(runDir, now)
    const dir = `${runDir}/notify`
    fs.mkdirSync(dir, { recursive: true })
    for (const name of fs.readdirSync(dir)) {
      if (name.endsWith(".fifo") && isFifo(`${dir}/${name}`)) notices.attach(name.slice(0, -".fifo".length))
    }
    return notices
  }

  /** A descriptor for a new instance's fd 3 (the caller closes it once spawned), read by us first. */
  descriptorFor(id: string): number {
    const path = noticeFifo(this.runDir, id)
    ensureFifo(path)
    this.handedOut.set(id, (this.handedOut.get(id) ?? 0) + 1)
    this.attach(id)
    return fs.openSync(path, fs.constants.O_RDWR)
  }

  /** Resolves at the first notification at or after `since`. */
  await(id: string, since: number): Promise<number> {
    const at = this.latest.get(id)
    if (at !== undefined && at >= since) return Promise.resolve(at)
    return new Promise((resolve) => {
      let set = this.waiters.get(id)
      if (set === undefined) this.waiters.set(id, (set = new Set()))
      set.add({ since, resolve })
    })
  }

  close(): void {
    this.closing = true
    for (const socket of this.readers.values()) socket.destroy()
    this.readers.clear()
  }

  private attach(id: string): void {
    if (this.readers.has(id)) return
    const fd = fs.openSync(noticeFifo(this.runDir, id), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    const socket = new net.Socket({ fd, readable: true, writable: false })
    socket.on("data", (chunk: Buffer) => {
      if (chunk.includes(NEWLINE)) this.notified(id, this.now())
    })
    // A FIFO read-only with no writer left ends. The end may have been read just after a new
    // instance got its descriptor (which found this reader and attached none): then read again.
    const handedOut = this.handedOut.get(id) ?? 0
    socket.on("close", () => {
      if (this.readers.get(id) !== socket) return
      this.readers.delete(id)
      if (!this.closing && (this.handedOut.get(id) ?? 0) !== handedOut) this.attach(id)
    })
    this.readers.set(id, socket)
  }

  private notified(id: string, at: number): void {
    this.latest.set(id, at)
    const set = this.waiters.get(id)
    if (set === undefined) return
    for (const w of set) {
      if (at < w.since) continue
      set.delete(w)
      w.resolve(at)
    }
  }
}

/** The core service over these FIFOs. */
export const layer = (notices: ReadyNotices): Layer.Layer<ReadinessNotices> =>
  Layer.succeed(
    ReadinessNotices,
    ReadinessNotices.of({ await: (id, since) => Effect.promise(() => notices.await(id, since)) })
  )
