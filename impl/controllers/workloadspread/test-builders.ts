// Builders for the WorkloadSpread table tests.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { WorkloadSpread, WorkloadSpreadSubset } from '../../api/workloadspread.ts';
import { MATCHED_ANNOTATION } from './types.ts';

export const NOW = Date.parse('2026-12-07T08:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function zone(name: string, maxReplicas?: number | string, extra: Partial<WorkloadSpreadSubset> = {}): WorkloadSpreadSubset {
  return {
    name,
    requiredNodeSelectorTerm: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [`zone-${name}`] }] },
    ...(maxReplicas === undefined ? {} : { maxReplicas }),
    ...extra,
  };
}

export function spread(subsets: WorkloadSpreadSubset[], extra: Partial<WorkloadSpread> = {}, kind = 'CloneSet'): WorkloadSpread {
  return {
    metadata: { name: 'ws', namespace: 'ns', generation: 2, uid: 'ws-uid' },
    spec: { targetRef: { apiVersion: kind === 'CloneSet' ? 'apps.kruise.io/v1alpha1' : 'apps/v1', kind, name: 'app' }, subsets },
    ...extra,
  };
}

export interface PodOpts {
  subset?: string;
  uid?: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  createdAt?: number;
  labels?: Record<string, string>;
  owner?: { kind: string; name: string; apiVersion?: string };
  unschedulable?: boolean;
  cost?: string;
}

export function pod(name: string, o: PodOpts = {}): V1Pod {
  const annotations: Record<string, string> = {};
  if (o.subset) annotations[MATCHED_ANNOTATION] = JSON.stringify({ name: 'ws', subset: o.subset, ...(o.uid ? { uid: o.uid } : {}) });
  if (o.cost) annotations['controller.kubernetes.io/pod-deletion-cost'] = o.cost;
  const owner = o.owner ?? { kind: 'CloneSet', name: 'app', apiVersion: 'apps.kruise.io/v1alpha1' };
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      labels: o.labels ?? {},
      annotations,
      creationTimestamp: iso(o.createdAt ?? NOW - 60_000) as unknown as Date,
      ownerReferences: [{ apiVersion: owner.apiVersion ?? 'apps/v1', kind: owner.kind, name: owner.name, uid: `uid-${owner.name}`, controller: true }],
    },
    spec: { containers: [{ name: 'main', image: 'nginx' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? (o.node ? 'Running' : 'Pending'),
      conditions: [
        ...(o.ready ?? !!o.node ? [{ type: 'Ready', status: 'True' }] : []),
        ...(o.unschedulable ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] : []),
      ],
    },
  };
}

export function node(name: string, zoneName: string, extra: Partial<V1Node['spec']> = {}, labels: Record<string, string> = {}): V1Node {
  return { metadata: { name, labels: { 'topology.kubernetes.io/zone': zoneName, ...labels } }, spec: { ...extra } };
}
