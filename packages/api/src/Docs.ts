/**
 * GET /docs, without the token: it shows the contract, not the fleet. The page is 3 MB (Scalar's
 * script inline); holding it, or the module that carries the script, cost the launcher ~25 MiB
 * of RSS for good after one request. So a bundle streams the page the build rendered from disk
 * (docsPageFile), a chunk at a time; only unbundled runs (tests, development) render it, per
 * request.
 */
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { docsPath, renderDocsPage } from "./DocsPage.ts"
import { docsPageFile } from "./DocsPageFile.ts"

const page =
  docsPageFile === undefined
    ? // Rendering fails only on a bug (the contract, Scalar's module): 500, logged.
      Effect.map(Effect.orDie(renderDocsPage), (html) => HttpServerResponse.html(html))
    : // A page missing from an install is a bug of the install: 500, logged.
      Effect.orDie(HttpServerResponse.file(docsPageFile, { contentType: "text/html; charset=utf-8" }))

export const docsRoute = HttpRouter.add("GET", docsPath, page)
