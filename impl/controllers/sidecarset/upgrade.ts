// The in-place sidecar rollout (OpenKruise pkg/controller/sidecarset/sidecarset_strategy.go,
// sidecarset_processor.go updatePodSidecarContainer, sidecarset_hotupgrade.go): which pods to
// upgrade next within partition and maxUnavailable, in ActivePods → priority → scatter order, what
// an upgraded pod looks like (only images change), and the reset of the old hot-upgrade container
// to the empty image. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_INJECTED_LIST, ANNOTATION_SIDECARSET_INPLACE_STATE, ANNOTATION_WORKING_HOT_CONTAINER, type SidecarSet, versionAltAnnotation, versionAnnotation } from '../../api/sidecarset.ts';
import { labelSelectorAsPredicate } from '../../api/validation-common.ts';
import { type ActivePodFacts, activePodsLess, comparatorFromLess, type PodPhase } from '../shared/active-pods.ts';
import { calculatePartitionReplicas, valueFromIntOrPercent } from '../shared/intstr.ts';
import { sortByPriority } from '../shared/priority-sort.ts';
import { type ScatterTerm, scatterSort } from '../shared/scatter-sort.ts';
import { patchPodMetadata } from './inject.ts';
import { containerIn, hotContainersOf, hotNames, inPlaceStates, isHotUpgrade, isPodSidecarUpdated, podHashes, sidecarSetHash, workingHotContainers } from './pod-records.ts';
import { isPodReadyForSidecarSet, isPodStateConsistent, isRunningAndReady, sidecarSetUpgradable } from './pod-state.ts';

const ms = (t: unknown): number | undefined => (t === undefined || t === null ? undefined : new Date(t as string).getTime());

export function activeFacts(p: V1Pod): ActivePodFacts {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    nodeName: p.spec?.nodeName ?? '',
    phase: (p.status?.phase ?? 'Pending') as PodPhase,
    ready: ready?.status === 'True',
    ...(ready?.lastTransitionTime !== undefined ? { readySince: ms(ready.lastTransitionTime) as number } : {}),
    restartCount: Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0)),
    ...(p.metadata?.creationTimestamp !== undefined ? { creationTime: ms(p.metadata.creationTimestamp) as number } : {}),
  };
}

/** Scatter terms with `value: "*"` expanded to every value of that label among the pods. */
export function expandScatterTerms(terms: readonly ScatterTerm[], pods: readonly V1Pod[]): ScatterTerm[] {
  const out: ScatterTerm[] = [];
  const add = (t: ScatterTerm) => {
    if (!out.some((o) => o.key === t.key && o.value === t.value)) out.push(t);
  };
  for (const t of terms) {
    if (t.value !== '*') add(t);
    else for (const p of pods) if (p.metadata?.labels && t.key in p.metadata.labels) add({ key: t.key, value: p.metadata.labels[t.key]! });
  }
  return out;
}

/** Candidate indexes in update order: ActivePods, then priorityStrategy, then scatterStrategy. */
export function sortCandidates(s: SidecarSet, pods: readonly V1Pod[], indexes: readonly number[]): number[] {
  const facts = pods.map(activeFacts);
  const less = comparatorFromLess(activePodsLess);
  let order = [...indexes].sort((a, b) => less(facts[a]!, facts[b]!));
  const us = s.spec?.updateStrategy ?? {};
  const labels = pods.map((p) => p.metadata?.labels ?? {});
  if (us.priorityStrategy) order = sortByPriority(us.priorityStrategy as Parameters<typeof sortByPriority>[0], (i) => labels[i]!, order);
  if (us.scatterStrategy) order = scatterSort(expandScatterTerms(us.scatterStrategy, pods), labels, order);
  return order;
}

/** How many of the ordered candidates to upgrade now (calculateUpgradeCount). */
export function upgradeCount(s: SidecarSet, pods: readonly V1Pod[], ordered: readonly number[]): number {
  const us = s.spec?.updateStrategy ?? {};
  const total = pods.length;
  const partitionResult = calculatePartitionReplicas(us.partition ?? undefined, total);
  const partition = partitionResult.ok ? partitionResult.value : 0;
  if (ordered.length - partition <= 0) return 0;
  const within = ordered.slice(0, ordered.length - partition);
  const maxResult = us.maxUnavailable === undefined ? undefined : valueFromIntOrPercent(us.maxUnavailable, total, true);
  const maxUnavailable = maxResult === undefined ? 1 : maxResult.ok ? maxResult.value : 0;
  let unavailable = pods.filter((p) => isPodSidecarUpdated(s, p) && (!isPodStateConsistent(s, p) || !isPodReadyForSidecarSet(s, p))).length;
  let count = 0;
  for (const i of within) {
    if (!isPodReadyForSidecarSet(s, pods[i]!)) {
      count++;
      continue;
    }
    if (unavailable >= maxUnavailable) break;
    unavailable++;
    count++;
  }
  return count;
}

export interface UpgradePlan {
  upgrade: V1Pod[];
  /** Not updated, selected, and changed beyond images: marked SidecarSetUpgradable=False. */
  notUpgradable: V1Pod[];
}

export function planUpgrade(s: SidecarSet, pods: readonly V1Pod[]): UpgradePlan {
  const us = s.spec?.updateStrategy ?? {};
  const sel = us.selector ? labelSelectorAsPredicate(us.selector) : undefined;
  const selected = (p: V1Pod) => !sel || (sel.ok && sel.matches(p.metadata?.labels ?? {}));
  const waiting: number[] = [];
  const notUpgradable: V1Pod[] = [];
  pods.forEach((p, i) => {
    if (isPodSidecarUpdated(s, p) || !selected(p)) return;
    const { canUpgrade, consistent } = sidecarSetUpgradable(s, p);
    if (canUpgrade && consistent) waiting.push(i);
    else if (!canUpgrade) notUpgradable.push(p);
  });
  const ordered = sortCandidates(s, pods, waiting);
  const n = upgradeCount(s, pods, ordered);
  return { upgrade: ordered.slice(0, n).map((i) => pods[i]!), notUpgradable };
}

/** Record the image IDs of the changed containers before the change (UpdatePodAnnotationsInUpgrade). */
function recordInPlaceState(s: SidecarSet, pod: V1Pod, changed: readonly string[], now: string): void {
  const states = inPlaceStates(pod);
  const name = s.metadata?.name ?? '';
  const state = states[name] ?? { revision: sidecarSetHash(s), updateTimestamp: now, lastContainerStatuses: {} };
  state.lastContainerStatuses ??= {};
  const ids = new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c.imageID]));
  for (const c of changed) state.lastContainerStatuses[c] = { imageID: ids.get(c) ?? '' };
  states[name] = state;
  pod.metadata!.annotations![ANNOTATION_SIDECARSET_INPLACE_STATE] = JSON.stringify(states);
}

/** Which hot-upgrade container takes the new image: an empty one, else a not-ready one, else the older. */
function hotTarget(s: SidecarSet, sidecar: { name: string; upgradeStrategy?: { hotUpgradeEmptyImage?: string } }, pod: V1Pod): [string, string] {
  const [one, two] = hotNames(sidecar.name);
  const empty = sidecar.upgradeStrategy?.hotUpgradeEmptyImage;
  if (containerIn(pod, one)?.image === empty) return [one, two];
  if (containerIn(pod, two)?.image === empty) return [two, one];
  const ready = (n: string) => (pod.status?.containerStatuses ?? []).some((c) => c.name === n && c.ready) && isPodStateConsistent(s, pod, new Set([n]));
  if (ready(one) && !ready(two)) return [two, one];
  if (!ready(one) && ready(two)) return [one, two];
  const [working, other] = hotContainersOf(sidecar.name, pod);
  return [other, working];
}

/** The pod with its sidecars at the SidecarSet's images, the new hash recorded and patchPodMetadata re-applied. */
export function upgradedPod(s: SidecarSet, cached: V1Pod, now: string, injectedListIfMissing: () => string): V1Pod {
  const pod = structuredClone(cached);
  const ann = (pod.metadata!.annotations ??= {});
  const changed: string[] = [];
  for (const c of s.spec?.containers ?? []) {
    let target = c.name;
    let other: string | undefined;
    if (isHotUpgrade(c)) [target, other] = hotTarget(s, c, pod);
    const current = containerIn(pod, other ?? target)?.image;
    if (c.image === current) continue;
    const container = containerIn(pod, target);
    if (!container) continue;
    container.image = c.image;
    changed.push(target);
    if (other) {
      const working = workingHotContainers(pod);
      working[c.name] = target;
      ann[ANNOTATION_WORKING_HOT_CONTAINER] = JSON.stringify(working);
      ann[versionAnnotation(target)] = s.metadata?.resourceVersion ?? '';
      ann[versionAltAnnotation(target)] = ann[versionAnnotation(other)] ?? '';
      ann[versionAltAnnotation(other)] = s.metadata?.resourceVersion ?? '';
    }
  }
  const hashes = podHashes(pod);
  const name = s.metadata?.name ?? '';
  const list = new Set<string>((s.spec?.containers ?? []).map((c) => c.name));
  for (const c of s.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') list.add(c.name);
  hashes[name] = { updateTimestamp: now, hash: sidecarSetHash(s), sidecarSetName: name, sidecarList: [...list].sort(), ...(s.status?.latestRevision ? { controllerRevision: s.status.latestRevision } : {}) };
  ann[ANNOTATION_SIDECARSET_HASH] = JSON.stringify(hashes);
  recordInPlaceState(s, pod, changed, now);
  if (!ann[ANNOTATION_SIDECARSET_INJECTED_LIST]) ann[ANNOTATION_SIDECARSET_INJECTED_LIST] = injectedListIfMissing();
  patchPodMetadata(pod.metadata!, s.spec?.patchPodMetadata ?? []);
  return pod;
}

/** No idle hot-upgrade container runs the empty image: an upgrade has switched containers. */
export function inHotUpgrading(s: SidecarSet, pod: V1Pod): boolean {
  return (s.spec?.containers ?? []).some((c) => isHotUpgrade(c) && containerIn(pod, hotContainersOf(c.name, pod)[1])?.image !== c.upgradeStrategy?.hotUpgradeEmptyImage);
}

/** Ready, or every container but the idle hot-upgrade ones is ready. */
export function hotUpgradingReady(s: SidecarSet, pod: V1Pod): boolean {
  if (isRunningAndReady(pod)) return true;
  const idle = new Set((s.spec?.containers ?? []).filter(isHotUpgrade).map((c) => hotContainersOf(c.name, pod)[1]));
  return (pod.status?.containerStatuses ?? []).every((c) => idle.has(c.name) || c.ready);
}

/** A hot upgrade that has finished: the new container runs consistent and ready, so the old one may be emptied. */
export function readyToFlip(s: SidecarSet, pod: V1Pod): boolean {
  if (!inHotUpgrading(s, pod)) return false;
  const names = new Set<string>();
  for (const c of s.spec?.containers ?? []) {
    if (!isHotUpgrade(c)) names.add(c.name);
    else names.add(hotContainersOf(c.name, pod)[0]);
  }
  return isPodStateConsistent(s, pod, names) && hotUpgradingReady(s, pod);
}

/** The pod with each old hot-upgrade container reset to the empty image (flipPodSidecarContainerDo). */
export function flippedPod(s: SidecarSet, cached: V1Pod, now: string): V1Pod {
  const pod = structuredClone(cached);
  const ann = (pod.metadata!.annotations ??= {});
  const changed: string[] = [];
  for (const c of s.spec?.containers ?? []) {
    if (!isHotUpgrade(c)) continue;
    const empty = c.upgradeStrategy?.hotUpgradeEmptyImage ?? '';
    const [working, idle] = hotContainersOf(c.name, pod);
    const container = containerIn(pod, idle);
    if (!container || container.image === empty) continue;
    container.image = empty;
    changed.push(idle);
    ann[versionAnnotation(idle)] = '0';
    ann[versionAltAnnotation(working)] = '0';
  }
  recordInPlaceState(s, pod, changed, now);
  return pod;
}
