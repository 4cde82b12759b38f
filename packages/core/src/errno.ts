/**
 * errno codes: where a failed OS call's code is read from, and what it means in words. No
 * Effect: the CLI's fast `ls` path and the launcher lock read codes before Effect loads.
 */

/** The errno code of a failed call (`ENOENT`, `EACCES`, ...), or undefined when the error carries none. */
export const errorCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined

const meanings: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available",
  EBUSY: "resource busy",
  EEXIST: "already exists",
  EISDIR: "is a directory",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  ENAMETOOLONG: "name too long",
  ENOENT: "no such file or directory",
  ENOSPC: "no space left on device",
  ENOTDIR: "not a directory",
  ENOTEMPTY: "directory not empty",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ESRCH: "no such process"
}

/** What an errno code means, in words; undefined for a code we have no words for (or none). */
export const errnoText = (code: string | null | undefined): string | undefined =>
  // Own keys only: "toString" is no errno, and must not find Object.prototype's.
  code === null || code === undefined || !Object.hasOwn(meanings, code) ? undefined : meanings[code]
