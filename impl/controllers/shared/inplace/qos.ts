// The pod QoS class (k8s qos.GetPodQOS) of a template: vertical scaling may not change it.
import type { V1Container } from '@kubernetes/client-node';
import { compareQuantities } from '../../../api/quantity.ts';

export type QoSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

export interface ContainersOf {
  readonly containers?: readonly V1Container[];
  readonly initContainers?: readonly V1Container[];
}

export function podQoS(spec: ContainersOf | undefined): QoSClass {
  const positive = (q: string | undefined): q is string => q !== undefined && compareQuantities(q, '0') > 0;
  let any = false;
  let guaranteed = true;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    const limits = c.resources?.limits ?? {};
    // An unset request defaults to the limit on a real pod.
    const requests = { ...limits, ...(c.resources?.requests ?? {}) };
    for (const name of QOS_RESOURCES) {
      const request = requests[name];
      const limit = limits[name];
      if (positive(request) || positive(limit)) any = true;
      // Guaranteed: every container limits cpu and memory and requests exactly that (upstream
      // compares sums, which is the same when requests <= limits as the API demands).
      if (!positive(limit) || request === undefined || compareQuantities(request, limit) !== 0) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
