/** The value `map` holds for `key`, created by `create` and kept there the first time it is asked for. */
export const getOrCreate = <K, V>(map: Map<K, V>, key: K, create: () => V): V => {
  const found = map.get(key)
  if (found !== undefined) return found
  const made = create()
  map.set(key, made)
  return made
}
