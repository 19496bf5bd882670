// CloneSet status from the observed pods (cloneset_status.go calculateStatus, spec §2.6).
import { calculatePartitionReplicas } from '../shared/intstr.ts';
import { isPodAvailable, isPodUpdateReady } from './availability.ts';
import { isAtRevision } from './revision.ts';
import type { CloneSetSpecView, PodView, Revisions } from './types.ts';

export interface CloneSetStatus {
  readonly observedGeneration: number;
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly updatedReplicas: number;
  readonly updatedReadyReplicas: number;
  readonly updatedAvailableReplicas: number;
  readonly expectedUpdatedReplicas: number;
  readonly currentRevision: string;
  readonly updateRevision: string;
  readonly collisionCount: number;
  readonly labelSelector: string;
}

export interface StatusInput {
  readonly spec: CloneSetSpecView;
  /** Active owned pods. */
  readonly pods: readonly PodView[];
  /** current: the resolved currentRevision of this reconcile (see resolveCurrentRevision). */
  readonly revisions: Revisions;
  readonly generation: number;
  readonly collisionCount: number;
  /** The selector as a string, e.g. "app=foo". */
  readonly labelSelector: string;
  readonly now: number;
}

export function calculateStatus(input: StatusInput): CloneSetStatus {
  const { spec, pods, revisions, now } = input;
  const minReadySeconds = spec.minReadySeconds ?? 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  let updatedReplicas = 0;
  let updatedReadyReplicas = 0;
  let updatedAvailableReplicas = 0;
  for (const pod of pods) {
    // Ready ignores lifecycle state and minReadySeconds; available needs both.
    const ready = isPodUpdateReady(pod, 0, now);
    const available = isPodAvailable(pod, minReadySeconds, now);
    const updated = isAtRevision(pod, revisions.update);
    if (ready) readyReplicas++;
    if (available) availableReplicas++;
    if (updated) updatedReplicas++;
    if (updated && ready) updatedReadyReplicas++;
    if (updated && available) updatedAvailableReplicas++;
  }
  // The update revision becomes current once every pod is at it and the count is right;
  // readiness is not required.
  const settled = updatedReplicas === pods.length && pods.length === spec.replicas;
  // An unparsable partition leaves expectedUpdatedReplicas at 0, as kruise does.
  const partition = calculatePartitionReplicas(spec.updateStrategy?.partition, spec.replicas);
  return {
    observedGeneration: input.generation,
    replicas: pods.length,
    readyReplicas,
    availableReplicas,
    updatedReplicas,
    updatedReadyReplicas,
    updatedAvailableReplicas,
    expectedUpdatedReplicas: partition.ok ? spec.replicas - partition.value : 0,
    currentRevision: settled ? revisions.update : revisions.current,
    updateRevision: revisions.update,
    collisionCount: input.collisionCount,
    labelSelector: input.labelSelector,
  };
}

/**
 * inconsistentStatus: whether the status must be written. Conditions and collisionCount are not
 * compared, so a status differing only there is not written (a kruise quirk, spec §2.6).
 */
export function statusNeedsWrite(previous: CloneSetStatus, next: CloneSetStatus): boolean {
  return (
    next.observedGeneration > previous.observedGeneration ||
    next.replicas !== previous.replicas ||
    next.readyReplicas !== previous.readyReplicas ||
    next.availableReplicas !== previous.availableReplicas ||
    next.updatedReadyReplicas !== previous.updatedReadyReplicas ||
    next.updatedReplicas !== previous.updatedReplicas ||
    next.updatedAvailableReplicas !== previous.updatedAvailableReplicas ||
    next.expectedUpdatedReplicas !== previous.expectedUpdatedReplicas ||
    next.updateRevision !== previous.updateRevision ||
    next.currentRevision !== previous.currentRevision ||
    next.labelSelector !== previous.labelSelector
  );
}

/** Requeue after minReadySeconds while some ready pod is not yet available. */
export function minReadyRequeueSeconds(spec: Pick<CloneSetSpecView, 'minReadySeconds'>, status: Pick<CloneSetStatus, 'availableReplicas' | 'readyReplicas'>): number | undefined {
  const seconds = spec.minReadySeconds ?? 0;
  return seconds > 0 && status.availableReplicas !== status.readyReplicas ? seconds : undefined;
}
