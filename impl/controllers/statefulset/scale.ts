// Scaling (stateful_set_control.go updateStatefulSet: processReplica, processCondemned; spec §3.5).
// OrderedReady ("monotonic") creates one pod at a time and waits for it to be Running, Ready and
// available; it deletes condemned pods one at a time, highest ordinal first, only when every
// predecessor is healthy. Parallel creates and deletes at once, except that
// scaleStrategy.maxUnavailable stops the pass after that many pods are creating, terminating or
// unavailable.
import { valueFromIntOrPercent } from '../shared/intstr.ts';
import type { Action } from './actions.ts';
import { isCreated, isHealthy, isRunningAndReady, runningAndAvailable } from './availability.ts';
import { initialLifecycleState, isPodHooked, planPodRefresh } from './lifecycle.ts';
import { claimName, podName, replicasRange, splitPods, type OrdinalRange } from './ordinals.ts';
import { isPodClaimStale, planClaimOwnerFixes, type ClaimLookup } from './pvc.ts';
import { isCurrentRevisionNeeded } from './revision.ts';
import type { Labels, PodView, Revisions, StatefulSetGates, StatefulSetSpecView } from './types.ts';

export interface ScaleInput {
  readonly setName: string;
  readonly setUid: string;
  readonly spec: StatefulSetSpecView;
  readonly gates: StatefulSetGates;
  /** Owned pods (any phase, terminating included). */
  readonly pods: readonly PodView[];
  readonly claims: ClaimLookup;
  readonly revisions: Revisions;
  /** Labels and finalizers a new pod at this revision starts with (its template's), for the preNormal hook. */
  readonly newPodMeta: (revision: string) => { readonly labels: Labels; readonly finalizers?: readonly string[] };
  /** The StatefulSet has a deletionTimestamp: only status is computed. */
  readonly deleting?: boolean;
  readonly now: number;
}

export interface ScalePlan {
  readonly range: OrdinalRange;
  /** Slot index = ordinal - range.start; pods to be created appear with phase ''. */
  readonly slots: readonly (PodView | undefined)[];
  /** Out of range or reserved, highest ordinal first. */
  readonly condemned: readonly PodView[];
  readonly actions: readonly Action[];
  /** Pods refreshed in this step (the update step refreshes the others). */
  readonly refreshed: ReadonlySet<string>;
  /** Some refresh changes a lifecycle state, so the rolling update waits for the next reconcile. */
  readonly lifecycleRefreshed: boolean;
  /** Stop after this step: something is waited for, or a monotonic write happened. */
  readonly exit: boolean;
  /** Re-check after this many ms (minReadySeconds). */
  readonly requeueAfterMs?: number;
}

/** scaleStrategy.maxUnavailable: floor percent of replicas, at least 1; undefined when unset or unparsable. */
export function scaleMaxUnavailable(spec: Pick<StatefulSetSpecView, 'scaleMaxUnavailable' | 'replicas'>): number | undefined {
  if (spec.scaleMaxUnavailable === undefined) return undefined;
  const v = valueFromIntOrPercent(spec.scaleMaxUnavailable, spec.replicas, false);
  return v.ok ? Math.max(v.value, 1) : undefined;
}

const minReady = (spec: StatefulSetSpecView): number => spec.rollingUpdate?.minReadySeconds ?? 0;

/** A pod this reconcile is about to create. */
function plannedPod(setName: string, ordinal: number, revision: string): PodView {
  return { name: podName(setName, ordinal), ordinal, revision, phase: '', ready: false, terminating: false, labels: {} };
}

export function planScale(input: ScaleInput): ScalePlan {
  const { spec, gates, setName } = input;
  const range = replicasRange(spec, gates);
  const split = splitPods(input.pods, range);
  const slots = [...split.slots];
  const condemned = split.condemned;

  // Fill empty slots, ascending, with pods at the revision their position asks for.
  for (let ordinal = range.start; ordinal < range.end; ordinal++) {
    if (range.reserved.has(ordinal)) continue;
    const i = ordinal - range.start;
    if (slots[i] !== undefined) continue;
    const current = isCurrentRevisionNeeded(spec, slots, i, input.revisions.update);
    slots[i] = plannedPod(setName, ordinal, current ? input.revisions.current : input.revisions.update);
  }

  const actions: Action[] = [];
  const refreshed = new Set<string>();
  let lifecycleRefreshed = false;
  let requeueAfterMs: number | undefined;
  const waitFor = (ms: number): void => {
    if (ms > 0) requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms);
  };
  const done = (exit: boolean): ScalePlan => ({ range, slots, condemned, actions, refreshed, lifecycleRefreshed, exit, ...(requeueAfterMs !== undefined && { requeueAfterMs }) });

  // The lowest-ordinal unhealthy pod: the only one OrderedReady may scale down while unhealthy.
  let firstUnhealthy: PodView | undefined;
  for (const pod of [...slots, ...condemned]) {
    if (pod !== undefined && !isHealthy(pod) && (firstUnhealthy === undefined || pod.ordinal < firstUnhealthy.ordinal)) firstUnhealthy = pod;
  }

  if (input.deleting) return done(true);

  const monotonic = spec.podManagementPolicy !== 'Parallel';
  let budget = scaleMaxUnavailable(spec);
  // decreaseAndCheckMaxUnavailable: consume one unit; true once the budget is spent.
  const spend = (): boolean => {
    if (budget === undefined) return false;
    budget--;
    return budget <= 0;
  };
  const deleteOrPrepare = (pod: PodView, reason: 'failed' | 'scaleIn'): boolean => {
    const hook = spec.lifecycle?.preDelete;
    if (spec.lifecycle !== undefined && isPodHooked(hook, pod)) {
      if (pod.lifecycleState === 'PreparingDelete') return false;
      actions.push({ kind: 'lifecycle', pod: pod.name, state: 'PreparingDelete', markPodNotReady: hook?.markPodNotReady === true });
      return true;
    }
    actions.push({ kind: 'deletePod', pod: pod.name, reason });
    return true;
  };

  // 1. every slot, ascending
  for (const pod of slots) {
    if (pod === undefined) continue;
    if (pod.phase === 'Failed' || pod.phase === 'Succeeded') {
      if (!pod.terminating) deleteOrPrepare(pod, 'failed');
      // The replacement is created once the old pod is gone.
      return done(true);
    }
    if (!isCreated(pod)) {
      if (gates.autoDeletePVC && isPodClaimStale(setName, pod, spec.volumeClaimTemplates, input.claims, spec.retentionPolicy)) return done(true);
      const meta = input.newPodMeta(pod.revision);
      actions.push({ kind: 'createPod', pod: pod.name, ordinal: pod.ordinal, revision: pod.revision, lifecycleState: initialLifecycleState(spec.lifecycle, meta) });
      if (monotonic) return done(true);
      if (spend()) break;
      continue;
    }
    if (pod.phase === 'Pending') {
      const missing = spec.volumeClaimTemplates.some((t) => input.claims(claimName(t.name, setName, pod.ordinal)) === undefined);
      if (missing) actions.push({ kind: 'createMissingClaims', pod: pod.name, ordinal: pod.ordinal });
    }
    if (pod.terminating && monotonic) return done(true);
    if (pod.terminating && spend()) break;

    const refresh = planPodRefresh(pod, spec.lifecycle, input.revisions.update);
    refreshed.add(pod.name);
    if (refresh?.setInPlaceUpdateReady) actions.push({ kind: 'inPlaceUpdateReady', pod: pod.name });
    if (refresh?.lifecycle) {
      actions.push({ kind: 'lifecycle', pod: pod.name, ...refresh.lifecycle });
      lifecycleRefreshed = true;
    }

    if (monotonic || budget !== undefined) {
      // Judged on the pod as observed, before the refresh above lands.
      const { available, waitMs } = runningAndAvailable(pod, minReady(spec), input.now);
      if (!available && monotonic) {
        waitFor(waitMs);
        return done(true);
      }
      if (!available && spend()) {
        waitFor(waitMs);
        break;
      }
    }

    const ownerFixes = gates.autoDeletePVC
      ? planClaimOwnerFixes(setName, { name: setName, uid: input.setUid }, pod, spec.volumeClaimTemplates, input.claims, spec.retentionPolicy, range)
      : [];
    if (pod.identityMatches === false || pod.storageMatches === false) actions.push({ kind: 'fixPodIdentity', pod: pod.name, ordinal: pod.ordinal });
    for (const fix of ownerFixes) actions.push({ kind: 'fixClaimOwners', pod: pod.name, ...fix });
  }

  // 2. claims of condemned pods get the ownerReferences the retention policy wants (WhenScaled=Delete: the pod)
  if (gates.autoDeletePVC) {
    for (const pod of condemned) {
      const fixes = planClaimOwnerFixes(setName, { name: setName, uid: input.setUid }, pod, spec.volumeClaimTemplates, input.claims, spec.retentionPolicy, range);
      for (const fix of fixes) actions.push({ kind: 'fixClaimOwners', pod: pod.name, ...fix });
    }
  }

  // 3. condemned pods, highest ordinal first
  for (const pod of condemned) {
    if (pod.terminating) {
      if (monotonic) return done(true);
      continue;
    }
    if (monotonic && pod !== firstUnhealthy) {
      if (!isRunningAndReady(pod)) return done(true);
      const { available, waitMs } = runningAndAvailable(pod, minReady(spec), input.now);
      if (!available) {
        waitFor(waitMs);
        return done(true);
      }
    }
    const modified = deleteOrPrepare(pod, 'scaleIn');
    if (monotonic && modified) return done(true);
  }
  return done(false);
}
