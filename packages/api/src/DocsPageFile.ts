/**
 * Where the pre-rendered /docs page is: nowhere here. The bundles replace this module
 * (packages/cli/build.mjs) with one naming `docs.html` beside them, written by the build.
 */
export const docsPageFile: string | undefined = undefined
