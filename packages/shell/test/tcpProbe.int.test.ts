import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type AddressInfo, createServer } from "node:net"
import { closedPort, runOnce, targetOf, unacceptingPort } from "./probeHarness.ts"
import { cleanup } from "./support.ts"

describe("tcp probe", () => {
  afterEach(cleanup)

  it.live("a listening port passes", () =>
    Effect.acquireUseRelease(
      Effect.promise(
        () =>
          new Promise<ReturnType<typeof createServer>>((resolve) => {
            const server = createServer((socket) => socket.end())
            server.listen(0, "127.0.0.1", () => resolve(server))
          })
      ),
      (server) =>
        Effect.gen(function* () {
          const address = `127.0.0.1:${(server.address() as AddressInfo).port}`
          expect(yield* runOnce(targetOf({ tcp: address }))).toMatchObject({
            ok: true,
            output: `connected to ${address}`,
            error: null
          })
        }),
      (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
    )
  )

  it.live("a closed port fails: the connection is refused", () =>
    Effect.gen(function* () {
      const address = `127.0.0.1:${yield* Effect.promise(closedPort)}`
      expect(yield* runOnce(targetOf({ tcp: address }))).toMatchObject({
        ok: false,
        output: `${address}: ECONNREFUSED`,
        error: null
      })
    })
  )

  it.live("a connect that hangs fails at the timeout", () =>
    Effect.acquireUseRelease(
      Effect.promise(unacceptingPort),
      ({ port }) =>
        Effect.gen(function* () {
          const address = `127.0.0.1:${port}`
          expect(yield* runOnce(targetOf({ tcp: address, timeout: "300ms" }))).toMatchObject({
            ok: false,
            output: `no connection to ${address} within 300ms`,
            error: null
          })
        }),
      ({ close }) => Effect.sync(close)
    )
  )
})
