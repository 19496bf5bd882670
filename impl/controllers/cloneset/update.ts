// The Update step (sync/cloneset_update.go, spec §2.8): refresh pods, then choose which pods move
// toward the target revision and how (in place, via the PreparingUpdate hook, or by recreation).
import { isPodAvailable } from './availability.ts';
import { calculateDiffs, type ExpectationDiffs } from './diff.ts';
import { isPodHooked } from './lifecycle.ts';
import { planRefresh, type RefreshPlan } from './refresh.ts';
import { isAtRevision } from './revision.ts';
import type { CloneSetFlags, CloneSetSpecView, PodView, Revisions } from './types.ts';
import { sortUpdateCandidates } from './update-order.ts';

export interface UpdateInput {
  readonly spec: CloneSetSpecView;
  /** Active owned pods. */
  readonly pods: readonly PodView[];
  readonly revisions: Revisions;
  readonly flags?: CloneSetFlags;
  readonly now: number;
  /** Whether a pod at revision `from` can reach revision `to` in place (spec §1.3); false for unknown revisions. */
  readonly canUpdateInPlace: (from: string, to: string) => boolean;
}

/** What to do to one chosen pod. */
export type PodUpdate =
  /** In-place update to `revision`, lifecycle state Updating. */
  | { readonly kind: 'inPlace'; readonly pod: string; readonly revision: string }
  /** Move to PreparingUpdate and wait for the inPlaceUpdate hook; `applyHook` re-adds the hook's labels/finalizers (pod came from Updated). */
  | { readonly kind: 'preparingUpdate'; readonly pod: string; readonly markPodNotReady: boolean; readonly applyHook: boolean }
  /** Label apps.kruise.io/specified-delete=true (no-op if present); Scale deletes and replaces the pod. */
  | { readonly kind: 'recreate'; readonly pod: string }
  /** The pod cannot be updated as the strategy demands; kruise stops updating here and reports FailedUpdate. */
  | { readonly kind: 'failed'; readonly pod: string; readonly message: string };

export type UpdateOutcome =
  /** Refresh patched lifecycle states or labels; nothing else this reconcile. */
  | 'refreshed'
  | 'paused'
  /** updateNum is 0. */
  | 'nothingToUpdate'
  | 'planned';

export interface UpdatePlan {
  /** Always apply these first (InPlaceUpdateReady conditions even when outcome is not 'refreshed'). */
  readonly refresh: RefreshPlan;
  readonly outcome: UpdateOutcome;
  readonly diffs?: ExpectationDiffs;
  readonly targetRevision?: string;
  /** Pod updates in order; empty when maxUnavailable allows none now. */
  readonly updates: readonly PodUpdate[];
}

/** Pods that may move to `target`: not there yet, not leaving, and not inside an in-place grace period. */
export function updateCandidates(pods: readonly PodView[], diffs: ExpectationDiffs, updateRevision: string): number[] {
  const out: number[] = [];
  pods.forEach((pod, i) => {
    const atUpdate = isAtRevision(pod, updateRevision);
    if (diffs.updateNum > 0 ? atUpdate : !atUpdate) return;
    if (pod.lifecycleState === 'PreparingDelete') return;
    // Updated pods are candidates even in grace: they need their hook re-applied first.
    if (pod.lifecycleState !== 'Updated' && pod.inPlaceUpdate?.inGracePeriod) return;
    out.push(i);
  });
  return out;
}

/**
 * limitUpdateIndexes: take at most |updateNum| candidates, stopping before unavailable pods at
 * the target revision plus those chosen reach updateMaxUnavailable, and before taking down an
 * available pod would put all unavailable pods at updateMaxUnavailable. Updating a pod that is
 * already unavailable does not add to the unavailable count.
 */
export function limitUpdateCandidates(
  order: readonly number[],
  pods: readonly PodView[],
  diffs: ExpectationDiffs,
  targetRevision: string,
  minReadySeconds: number,
  now: number,
): number[] {
  const wanted = order.slice(0, Math.abs(diffs.updateNum));
  const available = (p: PodView): boolean => isPodAvailable(p, minReadySeconds, now);
  let unavailable = pods.filter((p) => !available(p)).length;
  const targetUnavailable = pods.filter((p) => !available(p) && isAtRevision(p, targetRevision)).length;
  let chosen = 0;
  for (const i of wanted) {
    if (targetUnavailable + chosen >= diffs.updateMaxUnavailable) break;
    if (available(pods[i] as PodView)) {
      if (unavailable >= diffs.updateMaxUnavailable) break;
      unavailable++;
    }
    chosen++;
  }
  return wanted.slice(0, chosen);
}

/** updatePod for one pod; undefined when the pod just waits (hook still held, or nothing to re-apply). */
export function podUpdateFor(pod: PodView, input: UpdateInput, target: string): PodUpdate | undefined {
  const { spec } = input;
  const type = spec.updateStrategy?.type ?? 'ReCreate';
  const lifecycle = spec.lifecycle;
  const hook = lifecycle?.inPlaceUpdate;

  if (type !== 'ReCreate' && input.canUpdateInPlace(pod.revision, target)) {
    switch (pod.lifecycleState) {
      case undefined:
      case 'PreparingNormal':
      case 'Normal':
        if (lifecycle !== undefined && isPodHooked(hook, pod)) {
          return { kind: 'preparingUpdate', pod: pod.name, markPodNotReady: hook?.markPodNotReady === true, applyHook: false };
        }
        break;
      case 'Updated':
        // Without an inPlaceUpdate hook there is nothing to re-apply; refresh moves the pod to Normal.
        if (!hook) return undefined;
        return { kind: 'preparingUpdate', pod: pod.name, markPodNotReady: hook.markPodNotReady === true, applyHook: true };
      case 'PreparingUpdate':
        if (lifecycle !== undefined && isPodHooked(hook, pod)) return undefined;
        break;
      case 'Updating':
        break;
      default:
        return { kind: 'failed', pod: pod.name, message: `not allowed to in-place update pod ${pod.name} in state ${pod.lifecycleState}` };
    }
    return { kind: 'inPlace', pod: pod.name, revision: target };
  }

  if (type === 'InPlaceOnly') {
    return { kind: 'failed', pod: pod.name, message: `find Pod ${pod.name} update strategy is InPlaceOnly but can not update in-place` };
  }
  return { kind: 'recreate', pod: pod.name };
}

export function planUpdate(input: UpdateInput): UpdatePlan {
  const { spec, pods, revisions } = input;

  // 1. refresh every pod
  const refresh = planRefresh(pods, spec.lifecycle, revisions.update);
  if (refresh.blocksUpdate) return { refresh, outcome: 'refreshed', updates: [] };
  if (spec.updateStrategy?.paused) return { refresh, outcome: 'paused', updates: [] };

  // 2. how many, and toward which revision
  const diffs = calculateDiffs({ ...input, purpose: 'update' });
  if (diffs.updateNum === 0) return { refresh, outcome: 'nothingToUpdate', diffs, updates: [] };
  const targetRevision = diffs.updateNum > 0 ? revisions.update : revisions.current;

  // 3-5. candidates, their order, and the maxUnavailable limit
  const order = sortUpdateCandidates(spec.updateStrategy, pods, updateCandidates(pods, diffs, revisions.update));
  const chosen = limitUpdateCandidates(order, pods, diffs, targetRevision, spec.minReadySeconds ?? 0, input.now);

  // 6. the per-pod action; kruise stops at the first failure
  const updates: PodUpdate[] = [];
  for (const i of chosen) {
    const u = podUpdateFor(pods[i] as PodView, input, targetRevision);
    if (!u) continue;
    updates.push(u);
    if (u.kind === 'failed') break;
  }
  return { refresh, outcome: 'planned', diffs, targetRevision, updates };
}
