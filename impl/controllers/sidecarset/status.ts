// SidecarSet status (OpenKruise sidecarset_processor.go calculateStatus, getMatchingPods). Pure.
import type { V1Pod } from '@kubernetes/client-node';
import type { SidecarSet, SidecarSetStatus } from '../../api/sidecarset.ts';
import { injectedList, isActivePod, isPodConsistentWithSidecarSet, isPodSidecarUpdated, type NamespaceLabels, podMatchesSidecarSet } from './pod-records.ts';
import { isPodReadyForSidecarSet, isPodStateConsistent } from './pod-state.ts';

/** Pods the SidecarSet counts: selected in its scope, active, injected by it, with all its containers. */
export function matchingPods(s: SidecarSet, pods: readonly V1Pod[], nsLabels: NamespaceLabels): V1Pod[] {
  const name = s.metadata?.name ?? '';
  return pods.filter((p) => isActivePod(p) && podMatchesSidecarSet(p, s, nsLabels) && injectedList(p).includes(name) && isPodConsistentWithSidecarSet(p, s));
}

export function calculateStatus(s: SidecarSet, pods: readonly V1Pod[], latestRevision: string, collisionCount: number): SidecarSetStatus {
  let updated = 0;
  let ready = 0;
  let updatedReady = 0;
  for (const p of pods) {
    const u = isPodSidecarUpdated(s, p);
    if (u) updated++;
    if (isPodStateConsistent(s, p) && isPodReadyForSidecarSet(s, p)) {
      ready++;
      if (u) updatedReady++;
    }
  }
  return {
    observedGeneration: s.metadata?.generation ?? 0,
    matchedPods: pods.length,
    updatedPods: updated,
    readyPods: ready,
    updatedReadyPods: updatedReady,
    latestRevision,
    collisionCount,
  };
}

export function statusChanged(old: SidecarSetStatus | undefined, next: SidecarSetStatus): boolean {
  const keys: (keyof SidecarSetStatus)[] = ['observedGeneration', 'matchedPods', 'updatedPods', 'readyPods', 'updatedReadyPods', 'latestRevision', 'collisionCount'];
  return keys.some((k) => (old?.[k] ?? undefined) !== next[k]);
}
