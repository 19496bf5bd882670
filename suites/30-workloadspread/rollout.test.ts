/**
 * Per-subset bounds through a template rollout, watched for the whole rollout by an invariant
 * monitor that fails at the first breach with the timeline (seed "OpenKruise v1.6": the subset
 * ratio broke during a rolling upgrade with maxSurge > 0; OpenKruise e2e "elastic deploy for
 * deployment" and the image updates of "deploy in two zone"). Bounds, for every moment:
 * - every pod is matched to a subset when created (no pod escapes the spread);
 * - pods of each template version in a limited subset never exceed its maxReplicas;
 * - for the CloneSet, its own surge bound (replicas + maxSurge) and maxUnavailable 0;
 * and at the end the ratio is what the subsets say.
 */
import { PatchStrategy, type V1Pod, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, it } from 'vitest';
import { type Bounds, type InvariantMonitor, isPodReady, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { CLONESET, WORKLOADSPREAD, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V2, cloneSet, cloneSetSettled, container, imageOf, podsOf, waitForCloneSet } from '../lib/workloads.ts';
import { costOf, deployment, deploymentRef, expectSubsetCounts, subsetOf, waitForSpreadPods, waitForSubsets, workloadSpread, zoneSubset } from './fixtures.ts';

const isNew = (p: V1Pod) => imageOf(p) === IMAGE_V2;
/** Group = subset and template version, e.g. "subset-a:new". */
const versionedSubset = (p: V1Pod) => {
  const s = subsetOf(p);
  return s === undefined ? undefined : `${s}:${isNew(p) ? 'new' : 'old'}`;
};

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

async function watchRollout(namespace: string, selector: string, bounds: Bounds): Promise<InvariantMonitor> {
  monitor = await startInvariantMonitor(kube().kc, { namespace, labelSelector: selector, bounds, isUpdated: isNew });
  return monitor;
}
const watched = <T>(m: InvariantMonitor, step: Promise<T>) => Promise.race([step, m.breached]);

describeFeature(['WorkloadSpread.RollingUpdate', 'WorkloadSpread.DeploymentTarget'], 'subset bounds through a Deployment rolling update', () => {
  const ns = useNamespace('ws-roll-deploy');

  it('Deployment, default maxSurge 25%: zone-a keeps 2 of 6 (per version never above 2), every pod matched, 2 / 4 at the end', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws', deploymentRef('web'), [zoneSubset('subset-a', 'zone-a', 2), zoneSubset('subset-b', 'zone-b', undefined)]));
    await kube().apps.createNamespacedDeployment({ namespace: ns.name, body: deployment('web', 6) });
    const before = await waitForSpreadPods(ns.name, podsOf('web'), 6, (p) => isPodReady(p) && subsetOf(p) !== undefined && costOf(p) !== undefined, '6 Ready, matched pods');
    await expectSubsetCounts(before, { 'subset-a': 2, 'subset-b': 4 }, 'before the rollout');
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 4, missingReplicas: -1 } });

    // No pod-count bound here: a Deployment bounds its ReplicaSets' replicas (6 + maxSurge 2), not
    // the pods of a moment (the new ReplicaSet may create a pod before the old one has deleted its).
    const m = await watchRollout(ns.name, podsOf('web'), {
      groups: { noun: 'subset:version', groupOf: versionedSubset, max: { 'subset-a:old': 2, 'subset-a:new': 2 }, allowUngrouped: false },
    });
    await kube().apps.patchNamespacedDeployment(
      { namespace: ns.name, name: 'web', body: { spec: { template: { spec: { containers: [container({ image: IMAGE_V2 })] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const after = await watched(m, waitForSpreadPods(ns.name, podsOf('web'), 6, (p) => isPodReady(p) && isNew(p) && subsetOf(p) !== undefined, '6 Ready pods at the new image', timeouts().rolloutComplete));
    await m.stop();
    await expectSubsetCounts(after, { 'subset-a': 2, 'subset-b': 4 }, `after the rollout\ntimeline:\n${m.timeline()}`);
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 4, missingReplicas: -1 } });
  });
});

describeFeature('WorkloadSpread.RollingUpdate', 'subset bounds through a CloneSet ReCreate rollout with maxSurge', () => {
  const ns = useNamespace('ws-roll-cs');

  it('CloneSet ReCreate, maxSurge 2, maxUnavailable 0: zone-a keeps 3 of 6 (per version never above 3), every pod matched, 3 / 3 at the end', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws', 'web', [zoneSubset('subset-a', 'zone-a', 3), zoneSubset('subset-b', 'zone-b', undefined)]));
    await createObject(CLONESET, ns.name, cloneSet('web', { replicas: 6, updateStrategy: { type: 'ReCreate', maxSurge: 2, maxUnavailable: 0 } }));
    const before = await waitForSpreadPods(ns.name, podsOf('web'), 6, (p) => isPodReady(p) && subsetOf(p) !== undefined && costOf(p) !== undefined, '6 Ready, matched pods');
    await expectSubsetCounts(before, { 'subset-a': 3, 'subset-b': 3 }, 'before the rollout');
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 3, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: -1 } });

    const m = await watchRollout(ns.name, podsOf('web'), {
      maxPods: 8,
      minAvailable: 6,
      groups: { noun: 'subset:version', groupOf: versionedSubset, max: { 'subset-a:old': 3, 'subset-a:new': 3 }, allowUngrouped: false },
    });
    await patchObject(CLONESET, ns.name, 'web', { spec: { template: { spec: { containers: [container({ image: IMAGE_V2 })] } } } });
    await watched(m, waitForCloneSet(ns.name, 'web', cloneSetSettled(6), 'all 6 pods updated and ready'));
    const after = await watched(m, waitForSpreadPods(ns.name, podsOf('web'), 6, (p) => isPodReady(p) && isNew(p), '6 Ready pods at the new image'));
    await m.stop();
    await expectSubsetCounts(after, { 'subset-a': 3, 'subset-b': 3 }, `after the rollout (the ratio restored)\ntimeline:\n${m.timeline()}`);
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 3, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: -1 } });
  });
});

describeFeature(['WorkloadSpread.MaxReplicas', 'WorkloadSpread.SubsetInjection'], 'subset counts through an in-place rollout', () => {
  const ns = useNamespace('ws-roll-inplace');

  it('CloneSet in place (InPlaceIfPossible): 3 / 3 of 6 hold at every moment of the image update, no pod recreated', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws', 'web', [zoneSubset('subset-a', 'zone-a', 3), zoneSubset('subset-b', 'zone-b', 3)]));
    await createObject(CLONESET, ns.name, cloneSet('web', { replicas: 6, updateStrategy: { type: 'InPlaceIfPossible', maxUnavailable: 2 } }));
    const before = await waitForSpreadPods(ns.name, podsOf('web'), 6, (p) => isPodReady(p) && subsetOf(p) !== undefined && costOf(p) !== undefined, '6 Ready, matched pods');
    await expectSubsetCounts(before, { 'subset-a': 3, 'subset-b': 3 }, 'before the rollout');
    const m = await watchRollout(ns.name, podsOf('web'), { maxPods: 6, keepOriginalPods: true, groups: { noun: 'subset', groupOf: subsetOf, max: { 'subset-a': 3, 'subset-b': 3 }, allowUngrouped: false } });
    await patchObject(CLONESET, ns.name, 'web', { spec: { template: { spec: { containers: [container({ image: IMAGE_V2 })] } } } });
    await watched(m, waitForCloneSet(ns.name, 'web', cloneSetSettled(6), 'all 6 pods updated in place and ready'));
    await m.stop();
    const after = await waitForSpreadPods(ns.name, podsOf('web'), 6, (p) => isPodReady(p) && isNew(p), '6 Ready pods at the new image');
    await expectSubsetCounts(after, { 'subset-a': 3, 'subset-b': 3 }, 'after the in-place rollout');
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 3, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: 0 } });
  });
});
