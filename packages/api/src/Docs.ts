/**
 * GET /docs: the interactive Scalar page for the contract. Its inline script is 3 MB, so the page
 * is built on the first request instead of at start-up (a launcher nobody browses should not hold
 * it), and one copy serves both listeners. It needs no token: it shows the contract, not the fleet.
 */
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpApiScalar from "effect/http-api/HttpApiScalar"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { Api } from "./Api.ts"

export const docsPath = "/docs"

const buildPage = Effect.gen(function* () {
  const router = yield* HttpRouter.make
  // Nothing in the page's layer needs finalizing; the scope lives as long as the page is cached.
  const scope = yield* Scope.make()
  yield* Layer.buildWithScope(HttpApiScalar.layer(Api, { path: docsPath }), scope).pipe(
    Effect.provideService(HttpRouter.HttpRouter, router)
  )
  return router.asHttpEffect()
})

const page = Effect.runSync(Effect.cached(buildPage))

export const docsRoute = HttpRouter.add(
  "GET",
  docsPath,
  Effect.flatMap(page, (handler) => handler)
)
