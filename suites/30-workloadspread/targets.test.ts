/**
 * Targets other than CloneSet (spec §4.2, §4.4, §4.6, §4.7; OpenKruise e2e "elastic deploy for
 * deployment", "manage statefulset pods only with patch"): a Deployment's pods are owned by its
 * ReplicaSet and matched through the owner chain, with status versioned by pod-template-hash; a
 * bare ReplicaSet; a Job, whose percents resolve against parallelism and which gets no deletion
 * cost; an Advanced StatefulSet, whose pods take their subset by ordinal.
 */
import { BatchV1Api, PatchStrategy, type V1Pod, setHeaderOptions } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { ASTS, WORKLOADSPREAD, createObject, getObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import { podsOf, statefulSet, waitForStatefulSet } from '../lib/workloads.ts';
import {
  type WorkloadSpreadObj,
  ZONE,
  costOf,
  deployment,
  deploymentRef,
  describeSpreadPods,
  expectPlacedBy,
  expectSubsetCounts,
  job,
  labelPatch,
  plainSubset,
  replicaSet,
  subsetOf,
  waitForSpreadPods,
  waitForSubsets,
  workloadSpread,
  zoneSubset,
} from './fixtures.ts';

const matched = (p: V1Pod) => isPodReady(p) && subsetOf(p) !== undefined && costOf(p) !== undefined;
const elastic = () => [zoneSubset('subset-a', 'zone-a', 2, labelPatch('a')), zoneSubset('subset-b', 'zone-b', undefined, labelPatch('b'))];

async function scaleDeployment(namespace: string, name: string, replicas: number): Promise<void> {
  await kube().apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

describeFeature('WorkloadSpread.DeploymentTarget', 'Deployment and ReplicaSet targets', () => {
  const ns = useNamespace('ws-deploy');

  it('Deployment: pods owned by its ReplicaSet are matched through the owner chain; 2 -> 6 -> 2 replicas with zone-a limited to 2', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws', deploymentRef('web'), elastic()));
    await kube().apps.createNamespacedDeployment({ namespace: ns.name, body: deployment('web', 2) });
    let pods = await waitForSpreadPods(ns.name, podsOf('web'), 2, matched, '2 Ready, matched pods');
    await expectSubsetCounts(pods, { 'subset-a': 2 }, 'the first 2 pods fill subset-a');
    const owner = pods[0]!.metadata?.ownerReferences?.find((r) => r.controller);
    expect(owner?.kind, `the pod's controller is a ReplicaSet, not the Deployment the WorkloadSpread names`).toBe('ReplicaSet');
    const rs = await kube().apps.readNamespacedReplicaSet({ namespace: ns.name, name: owner!.name });
    expect(rs.metadata?.ownerReferences?.find((r) => r.controller)?.name, 'the ReplicaSet is owned by Deployment web').toBe('web');
    for (const p of pods) expect(costOf(p), `deletion cost of ${p.metadata?.name}`).toBe('200');

    await scaleDeployment(ns.name, 'web', 6);
    pods = await waitForSpreadPods(ns.name, podsOf('web'), 6, matched, '6 Ready, matched pods');
    await expectSubsetCounts(pods, { 'subset-a': 2, 'subset-b': 4 }, 'after scaling out to 6');
    await expectPlacedBy(pods, 'subset-a', ZONE, 'zone-a');
    await expectPlacedBy(pods, 'subset-b', ZONE, 'zone-b');
    for (const p of pods) expect(costOf(p), `deletion cost of ${p.metadata?.name} (${subsetOf(p)})`).toBe(subsetOf(p) === 'subset-a' ? '200' : '100');
    const ws = await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 4, missingReplicas: -1 } });
    const hash = pods[0]!.metadata?.labels?.['pod-template-hash'];
    expect(Object.keys(ws.status?.versionedSubsetStatuses ?? {}), 'status.versionedSubsetStatuses is keyed by the pods\' pod-template-hash').toEqual([hash]);

    await scaleDeployment(ns.name, 'web', 2);
    pods = await waitForSpreadPods(ns.name, podsOf('web'), 2, matched, '2 Ready pods after scaling in');
    await expectSubsetCounts(pods, { 'subset-a': 2 }, 'scale-in removes subset-b (lower cost) first');
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 0, missingReplicas: -1 } });
  });

  it('ReplicaSet: 4 replicas over zone-a (1) and zone-b (unlimited), scale-in keeps zone-a', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-rs', { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs' }, [zoneSubset('subset-a', 'zone-a', 1), zoneSubset('subset-b', 'zone-b', undefined)]));
    await kube().apps.createNamespacedReplicaSet({ namespace: ns.name, body: replicaSet('rs', 4) });
    const pods = await waitForSpreadPods(ns.name, podsOf('rs'), 4, matched, '4 Ready, matched pods');
    await expectSubsetCounts(pods, { 'subset-a': 1, 'subset-b': 3 }, 'ReplicaSet pods');
    await waitForSubsets(ns.name, 'ws-rs', { 'subset-a': { replicas: 1, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: -1 } });
    // All pods are of the ReplicaSet's one template, the latest version: 100 x (2 - subset index).
    for (const p of pods) expect(costOf(p), `deletion cost of ${p.metadata?.name} (${subsetOf(p)}):\n${describeSpreadPods(pods)}`).toBe(subsetOf(p) === 'subset-a' ? '200' : '100');
    await kube().apps.patchNamespacedReplicaSetScale({ namespace: ns.name, name: 'rs', body: { spec: { replicas: 1 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const one = await waitForSpreadPods(ns.name, podsOf('rs'), 1, isPodReady, '1 pod after scaling in');
    await expectSubsetCounts(one, { 'subset-a': 1 }, 'scale-in to 1');
  });
});

describeFeature(['WorkloadSpread.JobTarget', 'WorkloadSpread.MaxReplicas'], 'Job target', () => {
  const ns = useNamespace('ws-job');

  it('Job: 25% / 75% resolve against parallelism 3 (1 / 3); its pods get no deletion cost', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-job', { apiVersion: 'batch/v1', kind: 'Job', name: 'batch' }, [zoneSubset('subset-a', 'zone-a', '25%'), zoneSubset('subset-b', 'zone-b', '75%')]));
    await kube().kc.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: ns.name, body: job('batch', 3) });
    const pods = await waitForSpreadPods(ns.name, podsOf('batch'), 3, (p) => isPodReady(p) && subsetOf(p) !== undefined, '3 Ready pods of the Job, each matched');
    await expectSubsetCounts(pods, { 'subset-a': 1, 'subset-b': 2 }, 'ceil(25% x 3) = 1 in subset-a');
    await expectPlacedBy(pods, 'subset-a', ZONE, 'zone-a');
    await expectPlacedBy(pods, 'subset-b', ZONE, 'zone-b');
    await waitForSubsets(ns.name, 'ws-job', { 'subset-a': { replicas: 1, missingReplicas: 0 }, 'subset-b': { replicas: 2, missingReplicas: 1 } });
    const after = await waitForSpreadPods(ns.name, podsOf('batch'), 3, () => true, 'the Job pods once status is written');
    expect(after.map(costOf), `no deletion cost on Job pods (cost only orders ReplicaSet, Deployment and CloneSet scale-in):\n${describeSpreadPods(after)}`).toEqual([undefined, undefined, undefined]);
  });
});

describeFeature(['WorkloadSpread.StatefulSetTarget', 'WorkloadSpread.MaxReplicas'], 'Advanced StatefulSet target', () => {
  const ns = useNamespace('ws-asts');

  it('patch-only subsets 2 / 2 / unlimited take ordinals 0-1, 2-3 and 4 of 5 replicas', async () => {
    const subsets = [plainSubset('subset-a', 2, labelPatch('a')), plainSubset('subset-b', 2, labelPatch('b')), plainSubset('subset-c', undefined, labelPatch('c'))];
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-sts', { apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet', name: 'sts' }, subsets));
    await createObject(ASTS, ns.name, statefulSet('sts', { replicas: 5, podManagementPolicy: 'Parallel' }));
    await waitForStatefulSet(ns.name, 'sts', (s) => s.status?.readyReplicas === 5, '5 ready replicas');
    const pods = await waitForSpreadPods(ns.name, podsOf('sts'), 5, (p) => isPodReady(p) && subsetOf(p) !== undefined, '5 Ready, matched pods');
    const byOrdinal = Object.fromEntries(pods.map((p) => [p.metadata!.name!.slice('sts-'.length), { subset: subsetOf(p), label: p.metadata?.labels?.['spread-subset'] }]));
    expect(byOrdinal, `subset and patch label by ordinal: got ${JSON.stringify(byOrdinal)}\n${describeSpreadPods(pods)}`).toEqual({
      '0': { subset: 'subset-a', label: 'a' },
      '1': { subset: 'subset-a', label: 'a' },
      '2': { subset: 'subset-b', label: 'b' },
      '3': { subset: 'subset-b', label: 'b' },
      '4': { subset: 'subset-c', label: 'c' },
    });
    await waitForSubsets(ns.name, 'ws-sts', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 2, missingReplicas: 0 }, 'subset-c': { replicas: 1, missingReplicas: -1 } });
    const ws = await getObject<WorkloadSpreadObj>(WORKLOADSPREAD, ns.name, 'ws-sts');
    expect(ws.status?.observedGeneration, 'status.observedGeneration').toBe(ws.metadata.generation);
  });
});
