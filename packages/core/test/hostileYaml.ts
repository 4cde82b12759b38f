/** YAML texts that attack a parser, shared by the loader's, the rewrite's and the fuzz tests. */

/** `depth` levels of anchored lists, each holding `width` aliases of the one before: width^depth leaves. */
export const bomb = (width: number, depth: number): ReadonlyArray<string> => [
  `l0: &l0 [${Array.from({ length: width }, () => "x").join(", ")}]`,
  ...Array.from(
    { length: depth },
    (_, i) => `l${i + 1}: &l${i + 1} [${Array.from({ length: width }, () => `*l${i}`).join(", ")}]`
  )
]

/** `[[[ … ]]]`, `depth` deep. */
export const deepFlow = (depth: number): string => `${"[".repeat(depth)}x${"]".repeat(depth)}`

/** A block map nested `depth` deep by indentation. */
export const deepBlock = (depth: number): string =>
  Array.from({ length: depth }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " x\n"

/** `- - - … x`: compact lists nested `depth` deep on one line. */
export const deepCompact = (depth: number): string => `${"- ".repeat(depth)}x\n`

/** A map of `count` distinct keys under `key:`. */
export const manyKeys = (key: string, count: number): string =>
  `${key}:\n${Array.from({ length: count }, (_, i) => `  K${i}: v${i}`).join("\n")}\n`
