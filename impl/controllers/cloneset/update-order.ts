// The order in which update candidates are taken (SortUpdateIndexes, spec Appendix A): upstream's
// ActivePods order, then priorityStrategy, then scatterStrategy, then PreparingUpdate pods first.
// Works on indexes into the full pod list because the priority tie-break and the scatter totals
// depend on the whole list.
import { activePodsLess, comparatorFromLess } from '../shared/active-pods.ts';
import { sortByPriority } from '../shared/priority-sort.ts';
import { scatterSort } from '../shared/scatter-sort.ts';
import type { CloneSetUpdateStrategy, PodView } from './types.ts';

/** Candidate indexes in ActivePods order: unscheduled, pending, not ready, recently ready, restarted, newest first. */
export function defaultUpdateOrder(pods: readonly PodView[], indexes: readonly number[]): number[] {
  const less = comparatorFromLess(activePodsLess);
  return [...indexes].sort((a, b) => less(pods[a] as PodView, pods[b] as PodView));
}

export function sortUpdateCandidates(
  strategy: Pick<CloneSetUpdateStrategy, 'priorityStrategy' | 'scatterStrategy'> | undefined,
  pods: readonly PodView[],
  indexes: readonly number[],
): number[] {
  let order = defaultUpdateOrder(pods, indexes);
  if (strategy?.priorityStrategy) order = sortByPriority(strategy.priorityStrategy, (i) => (pods[i] as PodView).labels, order);
  if (strategy?.scatterStrategy) order = scatterSort(strategy.scatterStrategy, pods.map((p) => p.labels), order);
  // A pod already in PreparingUpdate has started its update; finish it before starting others.
  const preparing = (i: number): boolean => pods[i]?.lifecycleState === 'PreparingUpdate';
  return [...order.filter(preparing), ...order.filter((i) => !preparing(i))];
}
