// metav1.LabelSelector matching, as the update priority sorter needs it.

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** A compiled selector: a predicate over labels. */
export type LabelMatcher = (labels: Labels) => boolean;

function hasKey(labels: Labels, key: string): boolean {
  return Object.hasOwn(labels, key);
}

function requirementMatcher(r: LabelSelectorRequirement): LabelMatcher | undefined {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      if (values.length === 0) return undefined;
      return (l) => hasKey(l, r.key) && values.includes(l[r.key] as string);
    case 'NotIn':
      if (values.length === 0) return undefined;
      return (l) => !hasKey(l, r.key) || !values.includes(l[r.key] as string);
    case 'Exists':
      if (values.length > 0) return undefined;
      return (l) => hasKey(l, r.key);
    case 'DoesNotExist':
      if (values.length > 0) return undefined;
      return (l) => !hasKey(l, r.key);
    default:
      return undefined;
  }
}

/**
 * Compile a selector the way metav1.LabelSelectorAsSelector does: an empty selector matches
 * everything; an invalid requirement (In/NotIn without values, Exists/DoesNotExist with values,
 * unknown operator) makes the whole selector invalid (undefined). Key/value syntax is not checked.
 */
export function compileLabelSelector(selector: LabelSelector): LabelMatcher | undefined {
  const matchers: LabelMatcher[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    matchers.push((l) => hasKey(l, key) && l[key] === value);
  }
  for (const r of selector.matchExpressions ?? []) {
    const m = requirementMatcher(r);
    if (!m) return undefined;
    matchers.push(m);
  }
  return (labels) => matchers.every((m) => m(labels));
}
