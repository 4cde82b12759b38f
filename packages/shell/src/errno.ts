/**
 * The errno code of a failed Node call (`ENOENT`, `EACCES`, ...), or undefined when the error
 * carries none. No Effect: the fast `ls` path and the launcher lock use it before Effect loads.
 */
export const errorCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined
