import { type Dirent, existsSync, readdirSync, statSync } from "node:fs"
import { resolve } from "node:path"

/*
 * A small glob for config paths (`agents/*\/config.yaml`, `bots/**\/agent.yaml`): `*`, `?`,
 * `[...]` within a segment and `**` across segments; names starting with "." only match
 * when the pattern segment does. Node's fs.globSync costs ~5 ms to load on every CLI start,
 * more than the whole fast `ls` path; this walks only the folders the pattern names.
 */

const isMagic = (segment: string) => /[*?[]/.test(segment)

const segmentRegex = (segment: string): RegExp => {
  let re = ""
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!
    if (c === "*") re += "[^/]*"
    else if (c === "?") re += "[^/]"
    else if (c === "[") {
      const end = segment.indexOf("]", i + 2)
      if (end === -1) re += "\\["
      else {
        const body = segment.slice(i + 1, end).replace(/\\/g, "\\\\")
        re += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&")
  }
  return new RegExp(`^${re}$`)
}

const readDir = (dir: string): ReadonlyArray<Dirent> => {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch {
    // A folder that is missing or unreadable matches nothing, as with any glob.
    return []
  }
}

const isDir = (dir: string, e: Dirent) => e.isDirectory() || (e.isSymbolicLink() && statIsDir(`${dir}/${e.name}`))
const statIsDir = (p: string) => {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** Decides whether a path named literally by the pattern's last segment exists (and may record it). */
export type Exists = (path: string) => boolean

const walk = (dir: string, segments: ReadonlyArray<string>, out: Array<string>, exists: Exists): void => {
  const [head, ...rest] = segments
  if (head === undefined) return
  const last = rest.length === 0
  if (head === "**") {
    walk(dir, rest, out, exists)
    for (const e of readDir(dir))
      if (!e.name.startsWith(".") && isDir(dir, e)) walk(`${dir}/${e.name}`, segments, out, exists)
    return
  }
  if (!isMagic(head)) {
    const next = `${dir}/${head}`
    if (last) {
      if (exists(next)) out.push(next)
    } else walk(next, rest, out, exists)
    return
  }
  const re = segmentRegex(head)
  for (const e of readDir(dir)) {
    if (e.name.startsWith(".") && !head.startsWith(".")) continue
    if (!re.test(e.name)) continue
    if (last) out.push(`${dir}/${e.name}`)
    else if (isDir(dir, e)) walk(`${dir}/${e.name}`, rest, out, exists)
  }
}

/** Absolute, sorted, de-duplicated paths under `root` matching `pattern` (relative to root). */
export const globSync = (root: string, pattern: string, exists: Exists = existsSync): ReadonlyArray<string> => {
  const out: Array<string> = []
  // Paths are joined by hand below (node:path's normalizing join dominated a 300-config walk);
  // the root is normalized once here, and pattern segments never contain "/".
  walk(
    resolve(root),
    pattern.split("/").filter((s) => s !== "" && s !== "."),
    out,
    exists
  )
  return [...new Set(out)].toSorted()
}
