/*
 * Byte counts for people, without Schema: the fast `ls` path (no Effect loaded) prints them too.
 */

export const KiB = 1024
export const MiB = KiB * 1024
export const GiB = MiB * 1024
export const TiB = GiB * 1024

export const iecUnits: ReadonlyArray<readonly [string, number]> = [
  ["KiB", KiB],
  ["MiB", MiB],
  ["GiB", GiB],
  ["TiB", TiB]
]

/**
 * For people, not for reading back: `512 B`, `9.5 MiB`, `120 GiB`. One decimal below 10 and
 * none above, so a `du` column is read at a glance.
 */
export const formatBytes = (bytes: number): string => {
  if (bytes < KiB) return `${bytes} B`
  const shown = (size: number) => {
    const value = bytes / size
    return value < 10 ? Math.round(value * 10) / 10 : Math.round(value)
  }
  // Chosen by the rounded value, not the raw one: 1023.96 KiB would otherwise show as 1024 KiB.
  const [name, size] = iecUnits.find(([, unit]) => shown(unit) < 1024) ?? ["TiB", TiB]
  return `${shown(size)} ${name}`
}
