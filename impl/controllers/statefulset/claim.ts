// Pod adoption and release (the ref manager's ClaimPods as getPodsForStatefulSet uses it). A pod
// belongs to the set when its labels match the selector and its name is <set>-<ordinal>
// (isMemberOf). Owned pods that stop matching are released; matching orphans are adopted. Pure:
// the reconciler carries out the adopt/release writes.
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { compileLabelSelector, type LabelMatcher, type LabelSelector } from '../shared/label-selector.ts';
import { parentOf } from './ordinals.ts';
import { controllerRef, type AdvancedStatefulSet } from './views.ts';

export type ClaimDecision =
  /** Ours and still matching. */
  | 'owned'
  /** An orphan that matches: add our controller ownerReference. */
  | 'adopt'
  /** Ours but no longer matching: remove our ownerReference. */
  | 'release'
  /** Someone else's, or nothing to do. */
  | 'ignore';

export interface ClaimPlan {
  /** The pods the set controls after the adoptions (released pods are not in it). */
  readonly claimed: readonly V1Pod[];
  readonly adopt: readonly V1Pod[];
  readonly release: readonly V1Pod[];
}

const controllerOf = (pod: V1Pod): V1OwnerReference | undefined => pod.metadata?.ownerReferences?.find((r) => r.controller === true);

/** The set's selector as a predicate; an invalid selector matches nothing (the claim would fail). */
export function podMatcher(set: AdvancedStatefulSet): LabelMatcher {
  const m = set.spec?.selector ? compileLabelSelector(set.spec.selector as LabelSelector) : undefined;
  return m ?? (() => false);
}

/** BaseControllerRefManager.ClaimObject for one pod. */
export function claimDecision(pod: V1Pod, set: AdvancedStatefulSet, matches: LabelMatcher = podMatcher(set)): ClaimDecision {
  const match = matches(pod.metadata?.labels ?? {}) && parentOf(pod.metadata?.name ?? '') === set.metadata?.name;
  const setDeleting = Boolean(set.metadata?.deletionTimestamp);
  const ref = controllerOf(pod);
  if (ref) {
    if (ref.uid !== set.metadata?.uid) return 'ignore';
    if (match) return 'owned';
    // A set being deleted keeps its non-matching pods rather than orphaning them.
    return setDeleting ? 'ignore' : 'release';
  }
  if (setDeleting || !match) return 'ignore';
  if (pod.metadata?.deletionTimestamp) return 'ignore';
  if (pod.metadata?.namespace !== undefined && pod.metadata.namespace !== set.metadata?.namespace) return 'ignore';
  return 'adopt';
}

/** ClaimPods over the namespace's pods; adopted pods are listed as claimed (with our ownerReference). */
export function planClaims(pods: readonly V1Pod[], set: AdvancedStatefulSet): ClaimPlan {
  const matches = podMatcher(set);
  const claimed: V1Pod[] = [];
  const adopt: V1Pod[] = [];
  const release: V1Pod[] = [];
  for (const pod of pods) {
    switch (claimDecision(pod, set, matches)) {
      case 'owned':
        claimed.push(pod);
        break;
      case 'adopt':
        adopt.push(pod);
        claimed.push(withControllerRef(pod, set) ?? pod);
        break;
      case 'release':
        release.push(pod);
        break;
      case 'ignore':
        break;
    }
  }
  return { claimed, adopt, release };
}

/**
 * The adoption write on the live pod: undefined when it is ours already. Throws when the live pod
 * is another object (UID) or has another controller, like the API refuses the adopt patch.
 */
export function withControllerRef(live: V1Pod, set: AdvancedStatefulSet, expectedUid?: string): V1Pod | undefined {
  if (expectedUid !== undefined && live.metadata?.uid !== expectedUid) throw new Error(`pod ${live.metadata?.name} was replaced (uid ${live.metadata?.uid}, expected ${expectedUid})`);
  const ref = controllerOf(live);
  if (ref?.uid === set.metadata?.uid) return undefined;
  if (ref) throw new Error(`pod ${live.metadata?.name} is already controlled by ${ref.kind} ${ref.name}`);
  const next = structuredClone(live);
  next.metadata = { ...next.metadata, ownerReferences: [...(live.metadata?.ownerReferences ?? []), controllerRef(set)] };
  return next;
}

/** The release write on the live pod: our ownerReference removed; undefined when it has none. */
export function withoutOwnerRef(live: V1Pod, setUid: string, expectedUid?: string): V1Pod | undefined {
  if (expectedUid !== undefined && live.metadata?.uid !== expectedUid) return undefined;
  const refs = live.metadata?.ownerReferences ?? [];
  if (!refs.some((r) => r.uid === setUid)) return undefined;
  const next = structuredClone(live);
  next.metadata = { ...next.metadata, ownerReferences: refs.filter((r) => r.uid !== setUid) };
  return next;
}

/** Keys of the sets whose selector matches these labels (the pod watch, for orphans: getPodStatefulSets). */
export function setsSelecting(labels: Readonly<Record<string, string>>, sets: readonly AdvancedStatefulSet[]): string[] {
  const keys: string[] = [];
  for (const set of sets) {
    const sel = set.spec?.selector;
    // An empty selector selects nothing here, as in upstream's lookup.
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) continue;
    if (podMatcher(set)(labels)) keys.push(`${set.metadata?.namespace}/${set.metadata?.name}`);
  }
  return keys;
}
