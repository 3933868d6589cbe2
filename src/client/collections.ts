/** Appends to the list under `key`, creating it on first use. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Groups items by a key, keeping their order within each group. */
export function groupBy<K, V>(items: Iterable<V>, keyOf: (v: V) => K): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const v of items) pushTo(out, keyOf(v), v);
  return out;
}
