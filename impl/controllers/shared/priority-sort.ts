// updateStrategy.priorityStrategy (kruise pkg/util/updatesort/priority_sort.go), shared by CloneSet
// and SidecarSet. Works on indexes into the workload's full pod list, because kruise breaks ties
// by that position: among pods of equal priority, the one LATER in the pod list sorts first.
import { compileLabelSelector, type LabelSelector, type Labels } from './label-selector.ts';

export interface WeightPriorityTerm {
  readonly weight: number;
  readonly matchSelector: LabelSelector;
}

export interface OrderPriorityTerm {
  readonly orderedKey: string;
}

/** Only one of the two lists is used; weightPriority wins when both are set. */
export interface UpdatePriorityStrategy {
  readonly weightPriority?: readonly WeightPriorityTerm[];
  readonly orderPriority?: readonly OrderPriorityTerm[];
}

const INT64_MAX = 2n ** 63n - 1n;

/** The integer formed by the trailing ASCII digits of a label value ("sts-10" -> 10); 0 if none or too large. */
export function trailingInteger(value: string): number {
  const digits = /[0-9]+$/.exec(value)?.[0];
  if (digits === undefined) return 0;
  const big = BigInt(digits);
  return big > INT64_MAX ? 0 : Number(big);
}

/** Sum of the weights of every term whose selector matches; terms with an invalid selector are ignored. */
export function weightOf(terms: readonly WeightPriorityTerm[], labels: Labels): number {
  let sum = 0;
  for (const term of terms) {
    const matches = compileLabelSelector(term.matchSelector);
    if (matches?.(labels)) sum += term.weight;
  }
  return sum;
}

/**
 * The (level, order) of a pod under orderPriority: level is the index of the first ordered key the
 * pod carries, order is the trailing integer of that label's value. Pods with none of the keys get
 * level -1, which sorts them before every keyed pod.
 */
export function orderOf(terms: readonly OrderPriorityTerm[], labels: Labels): { level: number; order: number } {
  for (const [level, term] of terms.entries()) {
    const value = labels[term.orderedKey];
    if (value !== undefined) return { level, order: trailingInteger(value) };
  }
  return { level: -1, order: 0 };
}

/** Sort pod indexes by priority: higher weight first, or lower level then larger order first. */
export function sortByPriority(
  strategy: UpdatePriorityStrategy | undefined,
  labelsAt: (index: number) => Labels,
  indexes: readonly number[],
): number[] {
  const weights = strategy?.weightPriority ?? [];
  const orders = strategy?.orderPriority ?? [];
  if (weights.length === 0 && orders.length === 0) return [...indexes];

  const key = (i: number): [number, number] => {
    if (weights.length > 0) return [-weightOf(weights, labelsAt(i)), 0];
    const { level, order } = orderOf(orders, labelsAt(i));
    return [level, -order];
  };
  const keys = new Map(indexes.map((i) => [i, key(i)] as const));
  return [...indexes].sort((a, b) => {
    const [a1, a2] = keys.get(a) as [number, number];
    const [b1, b2] = keys.get(b) as [number, number];
    return a1 - b1 || a2 - b2 || b - a;
  });
}
