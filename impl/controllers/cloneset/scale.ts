// The Scale step (sync/cloneset_scale.go, spec §2.8): numbered steps, and the plan is the first
// step that changes something. If the plan is not 'none', the reconcile skips Update.
import type { Labels } from '../shared/label-selector.ts';
import { isPodReadyToServe } from './availability.ts';
import { choosePodsToDelete } from './delete-order.ts';
import { calculateDiffs, isSpecifiedDelete, type ExpectationDiffs } from './diff.ts';
import { isLifecycleMarkPodNotReady, isPodHooked } from './lifecycle.ts';
import { isPodUpdatedForScaling } from './revision.ts';
import type { CloneSetFlags, CloneSetSpecView, PodView, Revisions } from './types.ts';

export interface ScaleInput {
  readonly spec: CloneSetSpecView;
  /** Active owned pods. */
  readonly pods: readonly PodView[];
  readonly revisions: Revisions;
  readonly flags?: CloneSetFlags;
  readonly now: number;
  /** Instance ids of the CloneSet's PVCs; ids without a pod are reused first (keeps the volumes). */
  readonly pvcInstanceIds?: readonly string[];
  /** Makes a fresh instance id not in `taken` (kruise: 5 random chars); injected to keep planning pure. */
  readonly newInstanceId: (taken: ReadonlySet<string>) => string;
  /** Node labels by node name, for scale-in ranking with topologySpreadConstraints. */
  readonly nodeLabels?: ReadonlyMap<string, Labels>;
}

/** A pod to create, in lifecycle state PreparingNormal. */
export interface PodCreation {
  readonly instanceId: string;
  readonly revision: string;
}

/** Either delete the pod (and its PVCs), or park it in PreparingDelete because a preDelete hook holds it. */
export type PodDeletion =
  | { readonly pod: string; readonly action: 'delete' }
  | { readonly pod: string; readonly action: 'preparingDelete'; readonly markPodNotReady: boolean };

export type ScaleAction =
  | { readonly kind: 'none' }
  /** Step 1: while replicas are missing, PreparingDelete pods go back to PreparingNormal. */
  | { readonly kind: 'cancelPreparingDelete'; readonly pods: readonly string[] }
  /** Step 3: create pods; current-revision ones first. */
  | { readonly kind: 'create'; readonly pods: readonly PodCreation[] }
  /** Steps 4-6: PreparingDelete pods released by their hook, specified deletions, or scale-in. */
  | { readonly kind: 'delete'; readonly step: 'preparingDelete' | 'specifiedDelete' | 'scaleIn'; readonly deletions: readonly PodDeletion[] };

export interface ScalePlan {
  readonly action: ScaleAction;
  /** Absent when step 1 decided before the numbers were computed. */
  readonly diffs?: ExpectationDiffs;
  /** Emit the ScaleUpLimited warning event: scaleStrategy.maxUnavailable holds creations back. */
  readonly scaleUpLimited: boolean;
}

const NONE: ScaleAction = { kind: 'none' };

/** Step 1 (managePreparingDelete): take back PreparingDelete pods while replicas are missing. */
function podsToRestore(input: ScaleInput, preDeleting: readonly PodView[], numToDelete: number): string[] {
  const { spec, pods } = input;
  // A pod marked not ready on its way out is never taken back.
  if (isLifecycleMarkPodNotReady(spec.lifecycle)) return [];
  let missing = spec.replicas - pods.length + numToDelete;
  const restore: string[] = [];
  for (const pod of preDeleting) {
    if (missing <= 0) break;
    if (isSpecifiedDelete(pod, spec.scaleStrategy?.podsToDelete)) continue;
    restore.push(pod.name);
    missing--;
  }
  return restore;
}

/** deletePods: a pod held by the preDelete hook goes to PreparingDelete instead of being deleted. */
function deletionOf(pod: PodView, spec: CloneSetSpecView): PodDeletion {
  const hook = spec.lifecycle?.preDelete;
  if (spec.lifecycle !== undefined && isPodHooked(hook, pod)) {
    return { pod: pod.name, action: 'preparingDelete', markPodNotReady: hook?.markPodNotReady === true };
  }
  return { pod: pod.name, action: 'delete' };
}

/** Not-ready pods are always deletable; ready ones only within deleteReadyLimit. */
function withinReadyLimit(pods: readonly PodView[], limit: number): PodView[] {
  let left = limit;
  return pods.filter((pod) => {
    if (!isPodReadyToServe(pod)) return true;
    if (left <= 0) return false;
    left--;
    return true;
  });
}

/** getOrGenAvailableIDs: reuse ids of PVCs without a pod, then fresh ids; returned sorted, as kruise does. */
export function instanceIdsFor(count: number, pods: readonly PodView[], pvcInstanceIds: readonly string[], newInstanceId: (taken: ReadonlySet<string>) => string): string[] {
  const taken = new Set<string>([...pvcInstanceIds, ...pods.map((p) => p.instanceId)].filter((id) => id !== ''));
  const inUse = new Set(pods.map((p) => p.instanceId));
  // kruise pops an arbitrary free id; the sorted order makes the choice reproducible.
  const free = [...new Set(pvcInstanceIds)].filter((id) => id !== '' && !inUse.has(id)).sort();
  const ids = free.slice(0, count);
  while (ids.length < count) {
    const id = newInstanceId(taken);
    taken.add(id);
    ids.push(id);
  }
  return ids.sort();
}

export function planScale(input: ScaleInput): ScalePlan {
  const { spec, pods, revisions } = input;
  const podsToDeleteNames = spec.scaleStrategy?.podsToDelete;
  const specified = pods.filter((p) => isSpecifiedDelete(p, podsToDeleteNames));
  const preDeleting = pods.filter((p) => p.lifecycleState === 'PreparingDelete');
  const numToDelete = new Set([...specified, ...preDeleting].map((p) => p.name)).size;

  // 1. take back pods in PreparingDelete
  const restore = podsToRestore(input, preDeleting, numToDelete);
  if (restore.length > 0) return { action: { kind: 'cancelPreparingDelete', pods: restore }, scaleUpLimited: false };

  // 2. the numbers
  const diffs = calculateDiffs({ ...input, purpose: 'scale' });
  const plan = (action: ScaleAction): ScalePlan => ({ action, diffs, scaleUpLimited: diffs.scaleUpNum > diffs.scaleUpLimit });

  // 3. scale out (ends the step even when the limit allows no creation)
  if (diffs.scaleUpNum > 0) {
    const ids = instanceIdsFor(diffs.scaleUpLimit, pods, input.pvcInstanceIds ?? [], input.newInstanceId);
    const atCurrent = Math.min(diffs.scaleUpLimit, diffs.scaleUpNumOldRevision);
    const creations = ids.map((instanceId, i) => ({ instanceId, revision: i < atCurrent ? revisions.current : revisions.update }));
    return plan(creations.length > 0 ? { kind: 'create', pods: creations } : NONE);
  }

  // 4. delete PreparingDelete pods whose hook has been released
  const released = preDeleting.map((p) => deletionOf(p, spec)).filter((d) => d.action === 'delete');
  if (released.length > 0) return plan({ kind: 'delete', step: 'preparingDelete', deletions: released });

  // 5. specified deletions
  const preDeletingNames = new Set(preDeleting.map((p) => p.name));
  const toDelete = withinReadyLimit(specified.filter((p) => !preDeletingNames.has(p.name)), diffs.deleteReadyLimit);
  if (toDelete.length > 0) return plan({ kind: 'delete', step: 'specifiedDelete', deletions: toDelete.map((p) => deletionOf(p, spec)) });

  // 6. scale in, only once nothing else is on its way out
  if (diffs.scaleDownNum > 0 && numToDelete === 0) {
    const preferScaling = input.flags?.preparingUpdateAsUpdate ?? false;
    const updated = pods.filter((p) => isPodUpdatedForScaling(p, revisions.update, preferScaling));
    const notUpdated = pods.filter((p) => !isPodUpdatedForScaling(p, revisions.update, preferScaling));
    const chosen = choosePodsToDelete(diffs.scaleDownNum, diffs.scaleDownNumOldRevision, notUpdated, updated, {
      minReadySeconds: spec.minReadySeconds ?? 0,
      now: input.now,
      ...(spec.topologySpreadKeys !== undefined && { topologySpreadKeys: spec.topologySpreadKeys }),
      ...(input.nodeLabels !== undefined && { nodeLabels: input.nodeLabels }),
    });
    const deletions = withinReadyLimit(chosen, diffs.deleteReadyLimit).map((p) => deletionOf(p, spec));
    if (deletions.length > 0) return plan({ kind: 'delete', step: 'scaleIn', deletions });
  }
  return plan(NONE);
}
