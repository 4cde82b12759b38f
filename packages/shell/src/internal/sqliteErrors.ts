/** SQLITE_BUSY or SQLITE_LOCKED (with or without extended result codes) on a node:sqlite error. */
export const isSqliteBusy = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null || !("errcode" in error)) return false
  const code = error.errcode
  return typeof code === "number" && ((code & 0xff) === 5 || (code & 0xff) === 6)
}
