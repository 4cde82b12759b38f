/**
 * An agent's environment is built from layers; keeping where each variable came from lets `agentctl env`
 * answer "why does my agent see this value" without the user re-reading five files.
 */

/** Listed in the order agentctl stacks them, lowest first; `mergeEnv` itself follows the order it is given. */
export type EnvSource = "host" | "fleet .env" | "agent .env" | "run.env" | "agentctl"

export interface EnvLayer {
  readonly source: EnvSource
  readonly vars: Readonly<Record<string, string>>
}

export interface EnvEntry {
  readonly key: string
  readonly value: string
  readonly source: EnvSource
}

/** Later layers win; sorted by key (UTF-16 order, not locale, so output is the same on every machine). */
export const mergeEnv = (layers: ReadonlyArray<EnvLayer>): ReadonlyArray<EnvEntry> => {
  const merged = new Map<string, EnvEntry>()
  for (const { source, vars } of layers) {
    for (const [key, value] of Object.entries(vars)) merged.set(key, { key, value, source })
  }
  return [...merged.values()].toSorted((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** `Object.fromEntries` rather than assignment, so a key named `__proto__` stays an ordinary variable. */
export const toRecord = (merged: ReadonlyArray<EnvEntry>): Record<string, string> =>
  Object.fromEntries(merged.map((e) => [e.key, e.value]))

// Errs towards hiding (MONKEY matches KEY): showing a secret is worse than hiding a harmless value.
// Not PWD: that is the working directory, and hiding it would make every listing look broken.
const secretPattern = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE/i

export const isSecretKey = (key: string): boolean => secretPattern.test(key)

/** A fixed mask for every value, the empty one included: any variation would tell the length or emptiness. */
export const redact = (_value: string): string => "••••••"

export const redactEntries = (merged: ReadonlyArray<EnvEntry>, showSecrets: boolean): ReadonlyArray<EnvEntry> =>
  showSecrets ? merged : merged.map((e) => (isSecretKey(e.key) ? { ...e, value: redact(e.value) } : e))
