/** WorkloadSpread objects for the suites: subsets pinned to the substrate's zones. */
export type MaxReplicas = number | string | undefined;

export function zoneSubset(name: string, zone: string, maxReplicas: MaxReplicas, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    requiredNodeSelectorTerm: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] },
    ...(maxReplicas === undefined ? {} : { maxReplicas }),
    ...extra,
  };
}

export function workloadSpread(name: string, cloneSetName: string, subsets: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { name },
    spec: { targetRef: { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: cloneSetName }, subsets, ...extra },
  };
}

export const MATCHED_ANNOTATION = 'apps.kruise.io/matched-workloadspread';
export const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

export function matchedSubset(annotations: Record<string, string> | undefined): { name?: string; subset?: string } | undefined {
  const raw = annotations?.[MATCHED_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as { name?: string; subset?: string };
  } catch {
    return undefined;
  }
}
