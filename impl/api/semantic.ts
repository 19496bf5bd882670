// equality.Semantic.DeepEqual over wire JSON: nil and empty slices/maps compare equal.

function isEmptyContainer(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

function isEmptyMap(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (isEmptyContainer(a) && isEmptyContainer(b)) return true;
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => semanticEqual(v, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    for (const k of keys) {
      const va = ra[k];
      const vb = rb[k];
      if (va === undefined || vb === undefined) {
        // A field present on one side only is equal only when the present side is an empty slice/map.
        const present = va === undefined ? vb : va;
        if (present === undefined || present === null) continue;
        if (Array.isArray(present) ? present.length === 0 : false) continue;
        if (typeof present === 'object' && !Array.isArray(present) && isEmptyMap(present) && isMapLike(k)) continue;
        return false;
      }
      if (!semanticEqual(va, vb)) return false;
    }
    return true;
  }
  return false;
}

// Keys whose Go type is a map (nil map == empty map); other `{}` values are structs/pointers and are significant.
const MAP_KEYS = new Set(['matchLabels', 'labels', 'annotations', 'nodeSelector', 'labelsHandler', 'requests', 'limits']);

function isMapLike(key: string): boolean {
  return MAP_KEYS.has(key);
}
