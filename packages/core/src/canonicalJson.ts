/**
 * JSON with every object's keys in sorted order, so two values that mean the same thing have the
 * same text: `{ env: { B: "1", A: "2" } }` and `{ env: { A: "2", B: "1" } }` compare equal.
 * Arrays keep their order (argv order matters). Sorted by UTF-16 code units, not locale.
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value))

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== "object" || value === null) return value
  const fields = new Map(Object.entries(value))
  // The default sort compares UTF-16 code units.
  return Object.fromEntries([...fields.keys()].toSorted().map((k) => [k, sortKeys(fields.get(k))]))
}
