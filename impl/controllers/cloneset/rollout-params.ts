// The absolute numbers a rollout works with, from the spec's ints and percents (spec §2.4):
//   partition            kruise float percent, ceil; "<100%" keeps at most replicas-1; clamped
//   maxSurge             ceil; forced to 0 while paused
//   maxUnavailable       unset = "20%"; ceil when maxSurge is 0, floor when maxSurge > 0
//   scale maxUnavailable unset = MaxInt32; ceil
// Parse errors do not stop the controller: the value is 0 (maxUnavailable, maxSurge, partition).
import { calculatePartitionReplicas, valueFromIntOrPercent } from '../shared/intstr.ts';
import type { CloneSetSpecView } from './types.ts';

export const DEFAULT_MAX_UNAVAILABLE = '20%';
export const MAX_INT32 = 2 ** 31 - 1;

export interface RolloutParams {
  readonly replicas: number;
  /** Pods to keep at the current revision. */
  readonly partition: number;
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  /** Limit on unavailable pods while creating (scaleStrategy.maxUnavailable). */
  readonly scaleMaxUnavailable: number;
  /** Set when partition could not be parsed (kruise logs it and uses 0). */
  readonly partitionError?: string;
}

export function resolveRolloutParams(spec: CloneSetSpecView): RolloutParams {
  const replicas = spec.replicas;
  const strategy = spec.updateStrategy ?? {};

  const partitionResult = calculatePartitionReplicas(strategy.partition, replicas);
  const partition = partitionResult.ok ? partitionResult.value : 0;

  let maxSurge = 0;
  if (strategy.maxSurge !== undefined && !strategy.paused) {
    const r = valueFromIntOrPercent(strategy.maxSurge, replicas, true);
    maxSurge = r.ok ? r.value : 0;
  }

  // With surge, round down as Deployments do; without surge, round up so a small percent of a
  // small CloneSet still lets one pod be unavailable.
  const unavailable = valueFromIntOrPercent(strategy.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, replicas, maxSurge === 0);
  const maxUnavailable = unavailable.ok ? unavailable.value : 0;

  const scale = valueFromIntOrPercent(spec.scaleStrategy?.maxUnavailable ?? MAX_INT32, replicas, true);
  const scaleMaxUnavailable = scale.ok ? scale.value : 0;

  const params: RolloutParams = { replicas, partition, maxSurge, maxUnavailable, scaleMaxUnavailable };
  return partitionResult.ok ? params : { ...params, partitionError: partitionResult.error };
}
