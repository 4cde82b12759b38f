/**
 * The /docs page: Scalar's interactive reference for the contract, as one HTML document (the
 * 3 MB Scalar script inline, no CDN, and the OpenAPI document). The build renders it to a file
 * beside the bundles (packages/cli/build.mjs), which the launcher streams from disk; rendered in
 * a process, it stays in that process's heap.
 */
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpApiScalar from "effect/http-api/HttpApiScalar"
import * as Layer from "effect/Layer"
import { Api } from "./Api.ts"

export const docsPath = "/docs"

/** The page's HTML, as HttpApiScalar serves it. */
export const renderDocsPage: Effect.Effect<string, unknown> = Effect.gen(function* () {
  const router = yield* HttpRouter.make
  yield* Layer.build(HttpApiScalar.layer(Api, { path: docsPath })).pipe(
    Effect.provideService(HttpRouter.HttpRouter, router),
    Effect.scoped
  )
  const response = yield* router
    .asHttpEffect()
    .pipe(
      Effect.provideService(
        HttpServerRequest.HttpServerRequest,
        HttpServerRequest.fromWeb(new Request(`http://localhost${docsPath}`))
      )
    )
  const body = response.body
  if (body._tag !== "Uint8Array") return yield* Effect.fail(new Error(`the docs page has a ${body._tag} body`))
  return body.text ?? new TextDecoder().decode(body.body)
}).pipe(Effect.scoped)
