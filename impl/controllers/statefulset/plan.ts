// One reconcile of an Advanced StatefulSet as a pure function (stateful_set_control.go
// updateStatefulSet): scale first; if nothing stops there and the strategy is RollingUpdate, the
// rolling update; and the status from what was observed.
import type { Action, PlanError } from './actions.ts';
import { slotOrdinals } from './ordinals.ts';
import { volumeClaimsStatus } from './pvc.ts';
import { planScale, type ScaleInput, type ScalePlan } from './scale.ts';
import { completeRollingUpdate, countReplicas, type StatefulSetStatus } from './status.ts';
import type { PodView, StorageClassExpansion } from './types.ts';
import { planRollingUpdate, type UpdatePlan } from './update.ts';

export interface ReconcileInput extends ScaleInput {
  readonly storageClasses: StorageClassExpansion;
  readonly canUpdateInPlace: (from: string, to: string) => boolean;
  readonly updateExpectationsSatisfied?: boolean;
  readonly generation: number;
  readonly collisionCount: number;
  /** The selector as a string ("app=web"). */
  readonly labelSelector: string;
}

export interface ReconcilePlan {
  readonly scale: ScalePlan;
  /** Absent when scaling stopped the reconcile, or with OnDelete. */
  readonly update?: UpdatePlan;
  /** Scale actions, then update actions. */
  readonly actions: readonly Action[];
  readonly error?: PlanError;
  /** The status to write (conditions are added by the reconciler on write failures). */
  readonly status: StatefulSetStatus;
  readonly requeueAfterMs?: number;
}

export function planReconcile(input: ReconcileInput): ReconcilePlan {
  const { spec } = input;
  const scale = planScale(input);
  const runUpdate = !scale.exit && spec.updateStrategyType === 'RollingUpdate';
  const update = runUpdate
    ? planRollingUpdate({
        setName: input.setName,
        spec,
        gates: input.gates,
        pods: input.pods,
        slots: scale.slots,
        claims: input.claims,
        storageClasses: input.storageClasses,
        revisions: input.revisions,
        canUpdateInPlace: input.canUpdateInPlace,
        refreshed: scale.refreshed,
        lifecycleRefreshed: scale.lifecycleRefreshed,
        now: input.now,
        ...(input.updateExpectationsSatisfied !== undefined && { updateExpectationsSatisfied: input.updateExpectationsSatisfied }),
      })
    : undefined;

  // Status from the observed pods: in-range and condemned ones (all pods while the set is deleted).
  // Pods created in this pass count as Pending, as in OpenKruise, whose status sees the objects its
  // create calls returned. Without them, the moment between an old pod's removal and its
  // replacement's creation looks like "every pod updated and ready" and currentRevision flips early.
  const creating = new Set(scale.actions.filter((a) => a.kind === 'createPod').map((a) => a.pod));
  const observed: PodView[] = input.deleting
    ? [...input.pods]
    : [
        ...scale.slots.flatMap((p) => (p === undefined ? [] : p.phase !== '' ? [p] : creating.has(p.name) ? [{ ...p, phase: 'Pending' as const }] : [])),
        ...scale.condemned,
      ];
  const counts = countReplicas(observed, spec.rollingUpdate?.minReadySeconds ?? 0, input.revisions, input.now);
  const claimOrdinals = input.deleting ? input.pods.map((p) => p.ordinal).filter((o) => o >= 0) : slotOrdinals(scale.range);
  const status = completeRollingUpdate(
    {
      ...counts,
      currentReplicas: counts.currentReplicas + (update?.currentReplicasDelta ?? 0),
      updatedReplicas: counts.updatedReplicas + (update?.updatedReplicasDelta ?? 0),
      observedGeneration: input.generation,
      currentRevision: input.revisions.current,
      updateRevision: input.revisions.update,
      collisionCount: input.collisionCount,
      labelSelector: input.labelSelector,
      volumeClaims: volumeClaimsStatus(input.setName, claimOrdinals, spec.volumeClaimTemplates, input.claims),
    },
    spec.updateStrategyType,
  );

  const waits = [scale.requeueAfterMs, update?.requeueAfterMs].filter((v): v is number => v !== undefined);
  return {
    scale,
    ...(update && { update }),
    actions: [...scale.actions, ...(update?.actions ?? [])],
    ...(update?.error && { error: update.error }),
    status,
    ...(waits.length > 0 && { requeueAfterMs: Math.min(...waits) }),
  };
}
