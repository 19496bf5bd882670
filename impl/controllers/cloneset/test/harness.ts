// Builders and a settle loop for reconciler tests: a CloneSet object with named options, and a
// loop that alternates reconciles and kubelet passes until neither changes anything, recording
// what the pods looked like after every step.
import type { V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import type { CloneSet, CloneSetSpec } from '../../../api/cloneset.ts';
import { CloneSetReconciler, type ReconcilerOptions } from '../reconcile.ts';
import { NO_GATES, type CloneSetGates } from '../views.ts';
import { FakeCluster } from './fake-cluster.ts';

export const T0 = Date.UTC(2025, 0, 1);
export const KEY = 'ns/demo';

export interface CloneSetOptions {
  readonly replicas?: number;
  readonly image?: string;
  readonly resources?: V1ResourceRequirements;
  readonly updateStrategy?: CloneSetSpec['updateStrategy'];
  readonly scaleStrategy?: CloneSetSpec['scaleStrategy'];
  readonly lifecycle?: CloneSetSpec['lifecycle'];
  readonly minReadySeconds?: number;
  readonly revisionHistoryLimit?: number;
  /** One VCT named "data" of this size. */
  readonly claimSize?: string;
}

export function cloneSet(o: CloneSetOptions = {}): CloneSet {
  return {
    apiVersion: 'apps.kruise.io/v1alpha1',
    kind: 'CloneSet',
    metadata: { name: 'demo', namespace: 'ns', uid: 'uid-cs', generation: 1 },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'demo' } },
      template: {
        metadata: { labels: { app: 'demo' } },
        spec: { containers: [{ name: 'main', image: o.image ?? 'nginx:1', ...(o.resources && { resources: o.resources }) }] },
      },
      ...(o.claimSize && {
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.claimSize } } } }],
      }),
      updateStrategy: { type: 'ReCreate', partition: 0, maxUnavailable: '20%', maxSurge: 0, ...o.updateStrategy },
      scaleStrategy: { ...o.scaleStrategy },
      ...(o.lifecycle && { lifecycle: o.lifecycle }),
      ...(o.minReadySeconds !== undefined && { minReadySeconds: o.minReadySeconds }),
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
    },
  };
}

export interface Env {
  readonly cluster: FakeCluster;
  readonly reconciler: CloneSetReconciler;
  reconcile(): Promise<{ requeueAfterMs?: number }>;
}

/** A cluster holding `cs` and a reconciler with deterministic instance ids i0001, i0002, ... */
export function env(cs: CloneSet, gates: Partial<CloneSetGates> = {}, opts: Partial<ReconcilerOptions> = {}): Env {
  const cluster = new FakeCluster(cs, T0);
  let n = 0;
  const reconciler = new CloneSetReconciler(cluster, {
    gates: { ...NO_GATES, ...gates },
    newInstanceId: (taken) => {
      let id: string;
      do id = `i${String(++n).padStart(4, '0')}`;
      while (taken.has(id));
      return id;
    },
    ...opts,
  });
  return { cluster, reconciler, reconcile: () => reconciler.reconcile(KEY) };
}

const ready = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const normal = (p: V1Pod) => (p.metadata?.labels?.['lifecycle.apps.kruise.io/state'] ?? 'Normal') === 'Normal';

export interface Step {
  readonly what: 'reconcile' | 'kubelet';
  readonly total: number;
  /** Pods at this image. */
  readonly byImage: Readonly<Record<string, number>>;
  /** Ready, InPlaceUpdateReady not False, lifecycle Normal. */
  readonly available: number;
  readonly names: readonly string[];
}

function snapshot(cluster: FakeCluster, what: Step['what']): Step {
  const pods = cluster.pods();
  const byImage: Record<string, number> = {};
  for (const p of pods) {
    const image = p.spec?.containers[0]?.image ?? '';
    byImage[image] = (byImage[image] ?? 0) + 1;
  }
  const inPlaceOk = (p: V1Pod) => p.status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')?.status !== 'False';
  return { what, total: pods.length, byImage, available: pods.filter((p) => ready(p) && normal(p) && inPlaceOk(p)).length, names: pods.map((p) => p.metadata?.name ?? '') };
}

/** Reconcile until quiet, then let the kubelet act, until neither changes anything. */
export async function settle(e: Env, maxRounds = 300): Promise<Step[]> {
  const steps: Step[] = [];
  for (let round = 0; round < maxRounds; round++) {
    e.cluster.clock += 1000;
    const before = e.cluster.writes.length;
    await e.reconcile();
    if (e.cluster.writes.length > before) {
      steps.push(snapshot(e.cluster, 'reconcile'));
      continue;
    }
    if (e.cluster.kubelet()) {
      steps.push(snapshot(e.cluster, 'kubelet'));
      continue;
    }
    return steps;
  }
  throw new Error(`did not settle in ${maxRounds} rounds; last writes: ${e.cluster.writes.slice(-8).join(' | ')}`);
}
