// Advanced StatefulSet status (computeReplicaStatus, updateStatus, completeRollingUpdate,
// inconsistentStatus; spec §3.6, §3.8).
import { isCreated, isRunningAndReady, runningAndAvailable } from './availability.ts';
import type { VolumeClaimStatus } from './pvc.ts';
import type { PodView, Revisions, UpdateStrategyType } from './types.ts';

export interface StatefulSetCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly lastTransitionTime?: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface ReplicaCounts {
  /** Pods with a phase (created). */
  readonly replicas: number;
  /** Running and Ready. */
  readonly readyReplicas: number;
  /** Ready, lifecycle Normal, and Ready for minReadySeconds. */
  readonly availableReplicas: number;
  /** Created, not terminating, at the current revision. */
  readonly currentReplicas: number;
  /** Created, not terminating, at the update revision. */
  readonly updatedReplicas: number;
  readonly updatedReadyReplicas: number;
  readonly updatedAvailableReplicas: number;
}

export interface StatefulSetStatus extends ReplicaCounts {
  readonly observedGeneration: number;
  readonly currentRevision: string;
  readonly updateRevision: string;
  readonly collisionCount: number;
  readonly labelSelector: string;
  readonly volumeClaims: readonly VolumeClaimStatus[];
  readonly conditions?: readonly StatefulSetCondition[];
}

/** computeReplicaStatus over the given pods (pods to be created, phase '', count nowhere). */
export function countReplicas(pods: readonly PodView[], minReadySeconds: number, revisions: Revisions, now: number): ReplicaCounts {
  let replicas = 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  let currentReplicas = 0;
  let updatedReplicas = 0;
  let updatedReadyReplicas = 0;
  let updatedAvailableReplicas = 0;
  for (const pod of pods) {
    if (isCreated(pod)) replicas++;
    if (isRunningAndReady(pod)) {
      readyReplicas++;
      const available = runningAndAvailable(pod, minReadySeconds, now).available;
      if (available) availableReplicas++;
      if (pod.revision === revisions.update) {
        updatedReadyReplicas++;
        if (available) updatedAvailableReplicas++;
      }
    }
    if (isCreated(pod) && !pod.terminating) {
      if (pod.revision === revisions.current) currentReplicas++;
      if (pod.revision === revisions.update) updatedReplicas++;
    }
  }
  return { replicas, readyReplicas, availableReplicas, currentReplicas, updatedReplicas, updatedReadyReplicas, updatedAvailableReplicas };
}

/**
 * completeRollingUpdate: with RollingUpdate, once every pod is updated AND ready (status values),
 * the update revision becomes current. Stricter than CloneSet, which does not require readiness.
 */
export function completeRollingUpdate(status: StatefulSetStatus, updateStrategyType: UpdateStrategyType): StatefulSetStatus {
  if (updateStrategyType === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}

/** The previous status as stored (fields may be missing on a new object). */
export type StoredStatus = Partial<Omit<StatefulSetStatus, 'volumeClaims'>> & { readonly volumeClaims?: readonly VolumeClaimStatus[] };

/**
 * inconsistentStatus: whether to write. Conditions and collisionCount are not compared (a kruise
 * quirk kept); volumeClaims entries of the old status must all be present with equal counts (a
 * new template alone does not trigger a write, its generation bump does). Unlike kruise, the
 * updatedReady/updatedAvailable counts are compared too, so they never go stale.
 */
export function statusNeedsWrite(previous: StoredStatus, next: StatefulSetStatus): boolean {
  if (
    next.observedGeneration > (previous.observedGeneration ?? 0) ||
    next.replicas !== (previous.replicas ?? 0) ||
    next.currentReplicas !== (previous.currentReplicas ?? 0) ||
    next.readyReplicas !== (previous.readyReplicas ?? 0) ||
    next.availableReplicas !== (previous.availableReplicas ?? 0) ||
    next.updatedReplicas !== (previous.updatedReplicas ?? 0) ||
    next.updatedReadyReplicas !== (previous.updatedReadyReplicas ?? 0) ||
    next.updatedAvailableReplicas !== (previous.updatedAvailableReplicas ?? 0) ||
    next.currentRevision !== (previous.currentRevision ?? '') ||
    next.updateRevision !== (previous.updateRevision ?? '') ||
    next.labelSelector !== (previous.labelSelector ?? '')
  ) {
    return true;
  }
  const byName = new Map(next.volumeClaims.map((v) => [v.volumeClaimName, v]));
  return (previous.volumeClaims ?? []).some((old) => {
    const now = byName.get(old.volumeClaimName);
    return now === undefined || now.compatibleReplicas !== old.compatibleReplicas || now.compatibleReadyReplicas !== old.compatibleReadyReplicas;
  });
}

/**
 * SetStatefulsetCondition: replace the condition of that type unless status and reason are
 * unchanged; keep the transition time when only the message changes.
 */
export function setCondition(conditions: readonly StatefulSetCondition[], next: StatefulSetCondition): StatefulSetCondition[] {
  const current = conditions.find((c) => c.type === next.type);
  if (current && current.status === next.status && current.reason === next.reason) return [...conditions];
  const merged = current && current.status === next.status && current.lastTransitionTime ? { ...next, lastTransitionTime: current.lastTransitionTime } : next;
  return [...conditions.filter((c) => c.type !== next.type), merged];
}
