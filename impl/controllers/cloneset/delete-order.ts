// Which pods to remove when scaling in (choosePodsToDelete + ActivePodsWithRanks, spec §2.8 step 6).
// Least valuable first: unscheduled, not running, not available, not ready, cheap to delete
// (pod-deletion-cost), crowded (sharing a node / topology with siblings), ready for less time,
// restarted more, newest.
import { afterOrZero, comparatorFromLess, phaseOrdinal } from '../shared/active-pods.ts';
import type { Labels } from '../shared/label-selector.ts';
import { isPodAvailable } from './availability.ts';
import type { PodView } from './types.ts';

const HOSTNAME_KEY = 'kubernetes.io/hostname';

/** Rank per pod name: higher means "delete me first". Missing pods rank 0. */
export type Ranks = ReadonlyMap<string, number>;

export interface ScaleInContext {
  readonly minReadySeconds: number;
  readonly now: number;
  /** topologyKey of each template topologySpreadConstraint; when set, the spread ranker is used. */
  readonly topologySpreadKeys?: readonly string[];
  /** Node labels by node name, for the spread ranker; pods on unknown nodes are left out of it. */
  readonly nodeLabels?: ReadonlyMap<string, Labels>;
}

/** controller.kubernetes.io/pod-deletion-cost as an int32; absent or invalid ("+1", "007", overflow) is 0. */
export function deletionCost(raw: string | undefined): number {
  if (raw === undefined || !/^(-[0-9]+|0|[1-9][0-9]*)$/.test(raw)) return 0;
  const v = Number(raw);
  return v >= -(2 ** 31) && v <= 2 ** 31 - 1 ? v : 0;
}

/** ActivePodsWithRanks.Less: true when `a` should be deleted before `b`. */
export function rankedLess(a: PodView, b: PodView, ranks?: Ranks, available?: (p: PodView) => boolean): boolean {
  const node = (p: PodView): string => p.nodeName ?? '';
  if (node(a) !== node(b) && (node(a) === '' || node(b) === '')) return node(a) === '';
  if (phaseOrdinal(a.phase) !== phaseOrdinal(b.phase)) return phaseOrdinal(a.phase) < phaseOrdinal(b.phase);
  if (available && available(a) !== available(b)) return !available(a);
  if (a.ready !== b.ready) return !a.ready;
  const costA = deletionCost(a.deletionCost);
  const costB = deletionCost(b.deletionCost);
  if (costA !== costB) return costA < costB;
  const rankA = ranks?.get(a.name) ?? 0;
  const rankB = ranks?.get(b.name) ?? 0;
  if (rankA !== rankB) return rankA > rankB;
  if (a.ready && b.ready && a.readySince !== b.readySince) return afterOrZero(a.readySince, b.readySince);
  if ((a.restartCount ?? 0) !== (b.restartCount ?? 0)) return (a.restartCount ?? 0) > (b.restartCount ?? 0);
  if (a.creationTime !== b.creationTime) return afterOrZero(a.creationTime, b.creationTime);
  return false;
}

function sortRanked(pods: readonly PodView[], ranks?: Ranks, available?: (p: PodView) => boolean): PodView[] {
  return [...pods].sort(comparatorFromLess((a, b) => rankedLess(a, b, ranks, available)));
}

/**
 * SameNodeRanker: on a node with n > 1 of the pods, all but the most valuable get ranks n-1 .. 1
 * (least valuable highest), so scale-in thins out crowded nodes first.
 */
export function sameNodeRanks(pods: readonly PodView[]): Ranks {
  const ranks = new Map<string, number>();
  for (const onNode of groupBy(pods.filter((p) => (p.nodeName ?? '') !== ''), (p) => p.nodeName as string).values()) {
    if (onNode.length <= 1) continue;
    const sorted = sortRanked(onNode).slice(0, -1);
    sorted.forEach((p, i) => ranks.set(p.name, sorted.length - i));
  }
  return ranks;
}

/**
 * SpreadConstraintsRanker: per constraint, pods are grouped by their node's topology value and
 * ranked inside each group (len..1, least valuable highest), weighted by ln(groups + 2) and summed
 * over constraints. Inside a non-hostname topology, same-node ranks break ties.
 */
export function spreadConstraintRanks(pods: readonly PodView[], topologyKeys: readonly string[], nodeLabels: ReadonlyMap<string, Labels>): Ranks {
  const ranks = new Map<string, number>();
  const podsOnNode = groupBy(
    pods.filter((p) => (p.nodeName ?? '') !== '' && nodeLabels.has(p.nodeName as string)),
    (p) => p.nodeName as string,
  );
  const sameNode = sameNodeRanks(pods);
  for (const key of topologyKeys) {
    const inTopology = new Map<string, PodView[]>();
    for (const [nodeName, onNode] of podsOnNode) {
      const value = nodeLabels.get(nodeName)?.[key];
      if (value === undefined) continue;
      inTopology.set(value, [...(inTopology.get(value) ?? []), ...onNode]);
    }
    const weight = Math.log(inTopology.size + 2);
    for (const group of inTopology.values()) {
      const sorted = sortRanked(group, key === HOSTNAME_KEY ? undefined : sameNode);
      sorted.forEach((p, i) => ranks.set(p.name, (ranks.get(p.name) ?? 0) + (sorted.length - i) * weight));
    }
  }
  return ranks;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Order pods for scale-in, least valuable first. */
export function sortForScaleIn(pods: readonly PodView[], ctx: ScaleInContext): PodView[] {
  const keys = ctx.topologySpreadKeys ?? [];
  const ranks = keys.length > 0 ? spreadConstraintRanks(pods, keys, ctx.nodeLabels ?? new Map()) : sameNodeRanks(pods);
  return sortRanked(pods, ranks, (p) => isPodAvailable(p, ctx.minReadySeconds, ctx.now));
}

/**
 * choosePodsToDelete: `total` pods, the first `oldRevisionCount` of them from the current-revision
 * pods. A group is only sorted when some of it stays; asking for more than a group holds yields
 * the whole group (kruise logs that as unexpected).
 */
export function choosePodsToDelete(
  total: number,
  oldRevisionCount: number,
  notUpdated: readonly PodView[],
  updated: readonly PodView[],
  ctx: ScaleInContext,
): PodView[] {
  const choose = (pods: readonly PodView[], n: number): PodView[] => {
    if (n > pods.length) return [...pods];
    return (n < pods.length ? sortForScaleIn(pods, ctx) : [...pods]).slice(0, n);
  };
  if (oldRevisionCount >= total) return choose(notUpdated, total);
  if (oldRevisionCount > 0) return [...choose(notUpdated, oldRevisionCount), ...choose(updated, total - oldRevisionCount)];
  return choose(updated, total);
}
