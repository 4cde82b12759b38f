import type { ConfigEntry } from "@agentctl/core/ConfigFile"
import { globSync } from "@agentctl/shell/globSync"
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"

/*
 * A cache of parsed configs in run/.configs.json, so a command on an unchanged fleet reads one
 * JSON file and stats the configs instead of parsing N YAML files (parsing dominates every
 * command at 100+ agents). Keyed by each file's inode, size and mtime in ns, plus the glob's
 * result: any edit, new or removed config misses and the files are parsed again. Plain node:fs,
 * no Effect, because the fast `ls` path (cli/fast/fastLs.ts) reads it before Effect is loaded;
 * every other command reads and writes it through FleetCache (NodeFleetCache.ts).
 */

/**
 * The bundles' build, replaced by a string literal when build.mjs bundles them; "source" when the
 * sources run directly (tests). Parsed entries carry the messages of the code that parsed them,
 * so a cache written by another build (an upgrade, a rebuild) is a miss.
 */
declare const AGENTCTL_BUILD: string | undefined
const build = typeof AGENTCTL_BUILD === "string" ? AGENTCTL_BUILD : "source"

export interface CachedFleet {
  readonly entries: ReadonlyArray<ConfigEntry>
  /** Each valid agent's resolved `logs.max_size` (its log warnings are judged by it). */
  readonly logMaxSize: Readonly<Record<string, number>>
  /** The fleet `.env` (agentctl.yaml's `env_file`), absolute: drift reads it. */
  readonly envFile: string
}

interface CacheFile extends CachedFleet {
  readonly version: 4
  readonly build: string
  readonly root: string
  readonly settingsStamp: string | null
  readonly glob: string
  readonly files: ReadonlyArray<readonly [file: string, stamp: string]>
}

export const cacheFile = (root: string) => join(root, "run", ".configs.json")
const settingsFile = (root: string) => join(root, "agentctl.yaml")

const stampOf = (file: string): string | null => {
  try {
    const s = statSync(file, { bigint: true })
    return `${s.ino}:${s.size}:${s.mtimeNs}`
  } catch {
    return null
  }
}

/**
 * The cached entries when every stamp still matches (and the cache is of `glob`, when given),
 * else null. Never throws: a bad cache is a miss.
 */
export const readConfigCache = (root: string, glob?: string): CachedFleet | null => {
  let cache: CacheFile
  try {
    cache = JSON.parse(readFileSync(cacheFile(root), "utf8")) as CacheFile
  } catch {
    return null
  }
  if (
    cache.version !== 4 ||
    cache.build !== build ||
    cache.root !== root ||
    (glob !== undefined && cache.glob !== glob) ||
    cache.settingsStamp !== stampOf(settingsFile(root))
  )
    return null
  // One stat per config: the glob's existence check records the stamp too.
  const stamps = new Map<string, string>()
  const files = globSync(root, cache.glob, (path) => {
    const stamp = stampOf(path)
    if (stamp !== null) stamps.set(path, stamp)
    return stamp !== null
  })
  if (files.length !== cache.files.length) return null
  for (let i = 0; i < files.length; i++) {
    const [file, stamp] = cache.files[i]!
    if (files[i] !== file || (stamps.get(file) ?? stampOf(file)) !== stamp) return null
  }
  return { entries: cache.entries, logMaxSize: cache.logMaxSize, envFile: cache.envFile }
}

/**
 * Record what the full path just parsed. Stamps are taken before the entries were parsed by the
 * caller's read, so a file edited in between misses next time rather than serving stale data.
 */
export const writeConfigCache = (
  root: string,
  glob: string,
  stamps: ReadonlyArray<readonly [string, string]>,
  settingsStamp: string | null,
  fleet: CachedFleet
): void => {
  const data: CacheFile = { version: 4, build, root, settingsStamp, glob, files: stamps, ...fleet }
  const file = cacheFile(root)
  try {
    mkdirSync(dirname(file), { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(data))
    renameSync(tmp, file)
  } catch {
    // The cache only saves time; a read-only run/ must not make a command fail.
  }
}

export const stampFiles = (root: string, glob: string) => ({
  settingsStamp: stampOf(settingsFile(root)),
  stamps: globSync(root, glob).flatMap((f) => {
    const s = stampOf(f)
    return s === null ? [] : [[f, s] as const]
  })
})
