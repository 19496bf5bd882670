// Whether two label selectors can match a common label set (OpenKruise pkg/util/selector.go
// IsSelectorOverlapping): a conservative test on the requirements each side states, used to find
// the SidecarSets that may reach the same pods.
import type { V1LabelSelector } from '@kubernetes/client-node';

const ANY = Symbol('any value');
type Allowed = Map<string, Set<string> | typeof ANY>;

function allowedBy(s: V1LabelSelector): Allowed {
  const m: Allowed = new Map();
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) m.set(k, new Set([v]));
  for (const r of s.matchExpressions ?? []) {
    if (r.operator === 'In') {
      const cur = m.get(r.key);
      const set = cur instanceof Set ? cur : new Set<string>();
      for (const v of r.values ?? []) set.add(v);
      if (cur !== ANY) m.set(r.key, set);
    } else if (r.operator === 'Exists') m.set(r.key, ANY);
  }
  return m;
}

/** True when what `b` requires contradicts what `a` allows. */
function disjoint(a: V1LabelSelector, b: V1LabelSelector): boolean {
  const allowed = allowedBy(a);
  for (const [k, v] of Object.entries(b.matchLabels ?? {})) {
    const vals = allowed.get(k);
    if (vals instanceof Set && !vals.has(v)) return true;
  }
  for (const r of b.matchExpressions ?? []) {
    const vals = allowed.get(r.key);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
        if (vals instanceof Set && !values.some((v) => vals.has(v))) return true;
        break;
      case 'NotIn':
        if (vals instanceof Set && [...vals].every((v) => values.includes(v))) return true;
        break;
      case 'Exists':
        if (vals === undefined) return true;
        break;
      case 'DoesNotExist':
        if (vals !== undefined) return true;
        break;
    }
  }
  return false;
}

export function isSelectorOverlapping(a: V1LabelSelector, b: V1LabelSelector): boolean {
  return !(disjoint(a, b) || disjoint(b, a));
}
