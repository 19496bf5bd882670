// Replica arithmetic of WorkloadSpread: a subset's bound from maxReplicas (percent of the
// workload, rounded up), the integers at targetFilter.replicasPathList (numeric path parts index
// arrays), and which source gives a workload's replica count.
import type { IntOrString } from '../../api/pub.ts';
import type { WorkloadSpread } from '../../api/workloadspread.ts';
import { scaledValueFromIntOrPercent } from '../shared/intstr.ts';

const MAX_INT32 = 2 ** 31 - 1;

/** The subset's bound for `workloadReplicas`, or -1 when unlimited (maxReplicas unset). Undefined when unparsable. */
export function subsetMaxReplicas(maxReplicas: IntOrString | undefined | null, workloadReplicas: number): number | undefined {
  if (maxReplicas === undefined || maxReplicas === null) return -1;
  const v = scaledValueFromIntOrPercent(maxReplicas, workloadReplicas, true);
  return v.ok && v.value >= 0 ? v.value : undefined;
}

/** As subsetMaxReplicas, but unlimited counts as MaxInt32 (the controller's quota arithmetic). */
export function subsetQuota(maxReplicas: IntOrString | undefined | null, workloadReplicas: number): number {
  const v = scaledValueFromIntOrPercent(maxReplicas ?? MAX_INT32, workloadReplicas, true);
  return v.ok ? v.value : 0;
}

/** Some subset sets maxReplicas as a percentage (the workload's replicas are needed only then). */
export function hasPercentSubset(ws: WorkloadSpread): boolean {
  return (ws.spec.subsets ?? []).some((s) => typeof s.maxReplicas === 'string' && s.maxReplicas.endsWith('%'));
}

export class ReplicasPathError extends Error {
  override readonly name = 'ReplicasPathError';
}

/**
 * The integer at a dot path of obj. A missing path element, an index out of range, or a value
 * that is not an integer is an error; an empty path is 0 (a workload without replicas).
 */
export function integerAtPath(obj: unknown, path: string): number {
  if (path === '') return 0;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) {
      if (!/^[+-]?\d+$/.test(part)) throw new ReplicasPathError(`path "${path}": "${part}" is not an index`);
      const i = Number(part);
      if (i < 0 || i >= cur.length) throw new ReplicasPathError(`path "${path}": index ${i} out of range`);
      cur = cur[i];
    } else if (typeof cur === 'object' && cur !== null) {
      if (!Object.hasOwn(cur, part)) throw new ReplicasPathError(`path "${path}": "${part}" not exists`);
      cur = (cur as Record<string, unknown>)[part];
    } else {
      throw new ReplicasPathError(`path "${path}": object is not deep enough at "${part}"`);
    }
  }
  if (typeof cur !== 'number' || !Number.isInteger(cur)) throw new ReplicasPathError(`path "${path}": value ${JSON.stringify(cur)} is not an integer`);
  return cur;
}

/** Sum of the integers at every path. */
export function sumAtPaths(obj: unknown, paths: readonly string[]): number {
  return paths.reduce((sum, p) => sum + integerAtPath(obj, p), 0);
}

/** Replicas of a built-in workload object: spec.parallelism for Jobs, spec.replicas otherwise (unset = 1). */
export function builtinReplicas(kind: string, obj: { spec?: Record<string, unknown> }): number {
  const v = kind === 'Job' ? obj.spec?.parallelism : obj.spec?.replicas;
  return typeof v === 'number' ? v : 1;
}
