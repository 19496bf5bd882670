// The rolling update (rollingUpdateStatefulsetPods, spec §3.6, §3.8, Appendix A.4): refresh pods,
// count the unavailable ones, delete specified-delete pods, then walk the update order and move
// pods to the update revision (in place or by recreation) within maxUnavailable, growing their
// PVCs first under volumeClaimUpdateStrategy OnPodRollingUpdate.
import { valueFromIntOrPercent } from '../shared/intstr.ts';
import { sortByPriority } from '../shared/priority-sort.ts';
import type { Action, PlanError } from './actions.ts';
import { isHealthy, isInPlaceUpdateCompleted, runningAndAvailable } from './availability.ts';
import { isPodHooked, planPodRefresh } from './lifecycle.ts';
import { areClaimsMatched, areClaimsReady, areExpansionsCompleted, planClaimExpansion, type ClaimLookup } from './pvc.ts';
import type { PodView, Revisions, RollingUpdateView, StatefulSetGates, StatefulSetSpecView, StorageClassExpansion } from './types.ts';

export interface UpdateInput {
  readonly setName: string;
  readonly spec: StatefulSetSpecView;
  readonly gates: StatefulSetGates;
  /** All owned pods (refreshed unless already refreshed by the scale step). */
  readonly pods: readonly PodView[];
  /** Slots from the scale step (pods to be created have phase ''). */
  readonly slots: readonly (PodView | undefined)[];
  readonly claims: ClaimLookup;
  readonly storageClasses: StorageClassExpansion;
  readonly revisions: Revisions;
  /** Whether a pod at revision `from` can reach `to` in place (false for unknown revisions). */
  readonly canUpdateInPlace: (from: string, to: string) => boolean;
  /** Pods the scale step refreshed already. */
  readonly refreshed?: ReadonlySet<string>;
  /** Some pod's lifecycle state is being changed by the scale step's refresh. */
  readonly lifecycleRefreshed?: boolean;
  /** Earlier in-place updates are visible in the cache (update expectations). */
  readonly updateExpectationsSatisfied?: boolean;
  readonly now: number;
}

export type UpdateOutcome =
  | 'expectationsPending'
  /** A lifecycle state was refreshed; the next reconcile plans updates. */
  | 'refreshed'
  | 'paused'
  /** Stopped at an available pod because maxUnavailable is reached. */
  | 'blocked'
  | 'error'
  | 'done';

export interface UpdatePlan {
  readonly outcome: UpdateOutcome;
  readonly actions: readonly Action[];
  readonly error?: PlanError;
  /** Pods counted unavailable at the end (names, sorted). */
  readonly unavailable: readonly string[];
  /** Status adjustments for pods leaving a revision in this reconcile (kruise decrements these). */
  readonly currentReplicasDelta: number;
  readonly updatedReplicasDelta: number;
  readonly requeueAfterMs?: number;
}

/** rollingUpdate.maxUnavailable: percent of replicas rounded down, at least 1 (unparsable: 1). */
export function updateMaxUnavailable(rollingUpdate: RollingUpdateView | undefined, replicas: number): number {
  const v = valueFromIntOrPercent(rollingUpdate?.maxUnavailable ?? 1, replicas, false);
  return v.ok ? Math.max(v.value, 1) : 1;
}

/**
 * sortPodsToUpdate: slot indexes to walk. Ordered: from the highest slot down to index
 * `partition`, at most replicas - partition pods. Unordered: updated or terminating pods first
 * (highest slot first), then the rest by priorityStrategy, truncated to replicas - partition.
 */
export function updateOrder(rollingUpdate: RollingUpdateView | undefined, updateRevision: string, replicas: number, slots: readonly (PodView | undefined)[]): number[] {
  const partition = rollingUpdate?.partition ?? 0;
  const maxUpdate = replicas - partition;
  if (maxUpdate <= 0) return [];
  if (rollingUpdate?.unorderedUpdate === undefined) {
    const out: number[] = [];
    for (let i = slots.length - 1; i >= partition && out.length < maxUpdate; i--) if (slots[i] !== undefined) out.push(i);
    return out;
  }
  const updated: number[] = [];
  let waiting: number[] = [];
  for (let i = slots.length - 1; i >= 0; i--) {
    const pod = slots[i];
    if (pod === undefined) continue;
    if (pod.terminating || pod.revision === updateRevision) updated.push(i);
    else waiting.push(i);
  }
  const strategy = rollingUpdate.unorderedUpdate.priorityStrategy;
  if (strategy !== undefined) waiting = sortByPriority(strategy, (i) => slots[i]?.labels ?? {}, waiting);
  return [...updated, ...waiting].slice(0, maxUpdate);
}

const EMPTY: Omit<UpdatePlan, 'outcome'> = { actions: [], unavailable: [], currentReplicasDelta: 0, updatedReplicasDelta: 0 };

export function planRollingUpdate(input: UpdateInput): UpdatePlan {
  const { spec, gates, revisions, setName } = input;
  if (input.updateExpectationsSatisfied === false) return { outcome: 'expectationsPending', ...EMPTY };

  // 1. refresh every pod the scale step did not
  const actions: Action[] = [];
  let lifecycleRefreshed = input.lifecycleRefreshed === true;
  for (const pod of input.pods) {
    if (input.refreshed?.has(pod.name)) continue;
    const refresh = planPodRefresh(pod, spec.lifecycle, revisions.update);
    if (refresh?.setInPlaceUpdateReady) actions.push({ kind: 'inPlaceUpdateReady', pod: pod.name });
    if (refresh?.lifecycle) {
      actions.push({ kind: 'lifecycle', pod: pod.name, ...refresh.lifecycle });
      lifecycleRefreshed = true;
    }
  }
  if (lifecycleRefreshed) return { ...EMPTY, outcome: 'refreshed', actions };
  const rollingUpdate = spec.rollingUpdate;
  if (rollingUpdate?.paused) return { ...EMPTY, outcome: 'paused', actions };

  const maxUnavailable = updateMaxUnavailable(rollingUpdate, spec.replicas);
  const minReadySeconds = rollingUpdate?.minReadySeconds ?? 0;
  const resizeClaims = gates.autoResizePVC && spec.volumeClaimUpdateStrategy === 'OnPodRollingUpdate';
  const templates = spec.volumeClaimTemplates;
  let requeueAfterMs: number | undefined;

  // 2. the unavailable set
  const unavailable = new Set<string>();
  for (const pod of input.slots) {
    if (pod === undefined) continue;
    if (!isHealthy(pod) || !isInPlaceUpdateCompleted(pod)) {
      unavailable.add(pod.name);
      continue;
    }
    const { available, waitMs } = runningAndAvailable(pod, minReadySeconds, input.now);
    if (!available) {
      unavailable.add(pod.name);
      if (waitMs > 0) requeueAfterMs = requeueAfterMs === undefined ? waitMs : Math.min(requeueAfterMs, waitMs);
      continue;
    }
    if (resizeClaims && !areClaimsReady(setName, pod.ordinal, templates, input.claims)) unavailable.add(pod.name);
  }

  let currentReplicasDelta = 0;
  let updatedReplicasDelta = 0;
  const result = (outcome: UpdateOutcome, error?: PlanError): UpdatePlan => ({
    outcome,
    actions,
    ...(error && { error }),
    unavailable: [...unavailable].sort(),
    currentReplicasDelta,
    updatedReplicasDelta,
    ...(requeueAfterMs !== undefined && { requeueAfterMs }),
  });

  // deletePod: park in PreparingDelete while the preDelete hook holds the pod, else delete.
  const deleteOrPrepare = (pod: PodView, reason: 'update' | 'specifiedDelete'): boolean => {
    const hook = spec.lifecycle?.preDelete;
    if (spec.lifecycle !== undefined && isPodHooked(hook, pod)) {
      if (pod.lifecycleState !== 'PreparingDelete') {
        actions.push({ kind: 'lifecycle', pod: pod.name, state: 'PreparingDelete', markPodNotReady: hook?.markPodNotReady === true });
      }
      return false;
    }
    actions.push({ kind: 'deletePod', pod: pod.name, reason });
    return true;
  };

  // 3. specified-delete pods, highest slot first, not bound by partition
  const specifiedDeleted = new Set<string>();
  for (let i = input.slots.length - 1; i >= 0; i--) {
    const pod = input.slots[i];
    if (pod === undefined || !pod.specifiedDelete || pod.phase === '') continue;
    if (unavailable.size >= maxUnavailable && !unavailable.has(pod.name)) continue;
    specifiedDeleted.add(pod.name);
    if (!pod.terminating && deleteOrPrepare(pod, 'specifiedDelete')) {
      if (pod.revision === revisions.current) currentReplicasDelta--;
      else if (pod.revision === revisions.update) updatedReplicasDelta--;
    }
    unavailable.add(pod.name);
  }

  // 4. the update order
  const podUpdatePolicy = rollingUpdate?.podUpdatePolicy ?? 'ReCreate';
  for (const i of updateOrder(rollingUpdate, revisions.update, spec.replicas, input.slots)) {
    const pod = input.slots[i] as PodView;
    const claimsMatched = resizeClaims ? areClaimsMatched(setName, pod.ordinal, templates, input.claims) : true;
    if (pod.revision === revisions.update && claimsMatched) continue;
    if (unavailable.size >= maxUnavailable && !unavailable.has(pod.name)) return result('blocked');
    // A pod this reconcile creates is already at the revision its slot asks for.
    if (pod.phase === '') continue;

    if (resizeClaims) {
      let expanded = false;
      if (!claimsMatched) {
        const expansion = planClaimExpansion(setName, pod.name, pod.ordinal, templates, input.claims, input.storageClasses);
        if (!expansion.ok) return result('error', { message: expansion.message, event: { reason: 'FailedUpdatePVC', message: expansion.message } });
        for (const e of expansion.expansions) actions.push({ kind: 'expandClaim', pod: pod.name, claim: e.claim, template: e.template });
        expanded = expansion.expansions.length > 0;
      }
      // The pod is updated only once its volumes have grown (or the filesystem resize is pending).
      if (expanded || !areExpansionsCompleted(setName, pod.ordinal, templates, input.claims)) {
        unavailable.add(pod.name);
        continue;
      }
    }

    if (specifiedDeleted.has(pod.name) || pod.terminating) continue;
    const step = inPlaceStep(pod, podUpdatePolicy, input, actions);
    if (step.error) return result('error', step.error);
    const leaving = step.inPlace || deleteOrPrepare(pod, 'update');
    unavailable.add(pod.name);
    if (leaving && pod.revision === revisions.current) currentReplicasDelta--;
  }
  return result('done');
}

/** inPlaceUpdatePod: whether the pod is being handled in place (incl. waiting for its hook), or an error. */
function inPlaceStep(
  pod: PodView,
  policy: 'ReCreate' | 'InPlaceIfPossible' | 'InPlaceOnly',
  input: UpdateInput,
  actions: Action[],
): { inPlace: boolean; error?: PlanError } {
  if (policy === 'ReCreate') return { inPlace: false };
  const { lifecycle } = input.spec;
  const hook = lifecycle?.inPlaceUpdate;
  const target = input.revisions.update;
  if (input.canUpdateInPlace(pod.revision, target)) {
    switch (pod.lifecycleState) {
      case undefined:
      case 'PreparingNormal':
      case 'Normal':
        if (lifecycle !== undefined && isPodHooked(hook, pod)) {
          actions.push({ kind: 'lifecycle', pod: pod.name, state: 'PreparingUpdate', markPodNotReady: hook?.markPodNotReady === true });
          return { inPlace: true };
        }
        break;
      case 'Updated':
        // Re-apply the hook and wait for it again; without a hook kruise writes nothing.
        if (hook !== undefined) actions.push({ kind: 'lifecycle', pod: pod.name, state: 'PreparingUpdate', markPodNotReady: hook.markPodNotReady === true, applyInPlaceHook: true });
        return { inPlace: true };
      case 'PreparingUpdate':
        if (lifecycle !== undefined && isPodHooked(hook, pod)) return { inPlace: true };
        break;
      case 'Updating':
        break;
      default:
        return { inPlace: true, error: { message: `not allowed to in-place update pod ${pod.name} in state ${pod.lifecycleState}` } };
    }
    actions.push({ kind: 'inPlaceUpdate', pod: pod.name, from: pod.revision, to: target, setUpdating: pod.lifecycleState !== undefined });
    return { inPlace: true };
  }
  if (policy === 'InPlaceOnly') {
    const message = `find strategy is InPlaceOnly but Pod ${pod.name} can not update in-place`;
    return { inPlace: false, error: { message, event: { reason: 'FailedUpdatePodInPlace', message } } };
  }
  return { inPlace: false };
}
