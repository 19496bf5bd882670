/**
 * maxReplicas bounds each subset while the workload scales (spec §4.4, §4.6; OpenKruise e2e
 * "deploy in two zone, the type of maxReplicas is Integer" (max 3 -> 2 -> 4 with 6 -> 4 -> 8),
 * "elastic deployment, zone-a=2, zone-b=nil" (2 -> 6 -> image update -> 2); seed "OpenKruise
 * v1.6": scheduled scaling into an elastic pool). Percent maxReplicas round up (ceil).
 */
import { it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, WORKLOADSPREAD, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { IMAGE_V2, cloneSet, container, imageOf, podsOf } from '../lib/workloads.ts';
import { ZONE, costOf, expectPlacedBy, expectSubsetCounts, labelPatch, subsetOf, waitForNegativeCosts, waitForSpreadPods, waitForSubsets, workloadSpread, zoneSubset } from './fixtures.ts';

const settled = (p: Parameters<typeof isPodReady>[0]) => isPodReady(p) && subsetOf(p) !== undefined && costOf(p) !== undefined;

describeFeature(['WorkloadSpread.MaxReplicas', 'WorkloadSpread.SubsetInjection', 'WorkloadSpread.DeletionCost'], 'maxReplicas while the workload scales', () => {
  const ns = useNamespace('ws-max');

  it('maxReplicas changed with the replicas: 3/3 of 6, then 2/2 of 4, then 4/4 of 8', async () => {
    const ws = (max: number) => [zoneSubset('subset-a', 'zone-a', max, labelPatch('a')), zoneSubset('subset-b', 'zone-b', max, labelPatch('b'))];
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws', 'web', ws(3)));
    await createObject(CLONESET, ns.name, cloneSet('web', { replicas: 6 }));
    let pods = await waitForSpreadPods(ns.name, podsOf('web'), 6, settled, '6 Ready, matched pods');
    await expectSubsetCounts(pods, { 'subset-a': 3, 'subset-b': 3 }, 'max 3/3 with 6 replicas');
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 3, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: 0 } });

    await patchObject(WORKLOADSPREAD, ns.name, 'ws', { spec: { subsets: ws(2) } });
    // One pod per subset is now beyond its max: both must be costed lowest before the scale-in.
    await waitForNegativeCosts(ns.name, podsOf('web'), { 'subset-a': 1, 'subset-b': 1 }, 'max 2/2 over 3/3 pods');
    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 4 } });
    pods = await waitForSpreadPods(ns.name, podsOf('web'), 4, settled, '4 Ready, matched pods');
    await expectSubsetCounts(pods, { 'subset-a': 2, 'subset-b': 2 }, 'max 2/2 with 4 replicas');
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 2, missingReplicas: 0 } });

    await patchObject(WORKLOADSPREAD, ns.name, 'ws', { spec: { subsets: ws(4) } });
    // Room for 2 more per subset, seen in status before the new pods are created.
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 2, missingReplicas: 2 }, 'subset-b': { replicas: 2, missingReplicas: 2 } });
    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 8 } });
    pods = await waitForSpreadPods(ns.name, podsOf('web'), 8, settled, '8 Ready, matched pods');
    await expectSubsetCounts(pods, { 'subset-a': 4, 'subset-b': 4 }, 'max 4/4 with 8 replicas');
    await expectPlacedBy(pods, 'subset-a', ZONE, 'zone-a');
    await expectPlacedBy(pods, 'subset-b', ZONE, 'zone-b');
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 4, missingReplicas: 0 }, 'subset-b': { replicas: 4, missingReplicas: 0 } });
  });

  it('percent maxReplicas round up: 25% / 75% of 5 replicas is 2 / 4 (not 1 / 4, nor 1 / 3)', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-pct', 'pct', [zoneSubset('subset-a', 'zone-a', '25%'), zoneSubset('subset-b', 'zone-b', '75%')]));
    await createObject(CLONESET, ns.name, cloneSet('pct', { replicas: 5 }));
    // Every pod gets a deletion cost, matched or not (-300 outside both subsets), so a pod left out
    // of the subsets shows in the counts below rather than as a timeout.
    const pods = await waitForSpreadPods(ns.name, podsOf('pct'), 5, (p) => isPodReady(p) && costOf(p) !== undefined, '5 Ready pods, each with a deletion cost');
    await expectSubsetCounts(pods, { 'subset-a': 2, 'subset-b': 3 }, 'ceil(25% x 5) = 2 in subset-a, the rest in subset-b');
    await waitForSubsets(ns.name, 'ws-pct', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: 1 } });
  });

  it('elastic: zone-a limited to 2, zone-b unlimited; 2 -> 6 replicas, an in-place image update, then back to 2 (the elastic pods go first)', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-elastic', 'elastic', [zoneSubset('subset-a', 'zone-a', 2, labelPatch('a')), zoneSubset('subset-b', 'zone-b', undefined, labelPatch('b'))]));
    await createObject(CLONESET, ns.name, cloneSet('elastic', { replicas: 2, updateStrategy: { type: 'InPlaceIfPossible' } }));
    let pods = await waitForSpreadPods(ns.name, podsOf('elastic'), 2, settled, '2 Ready, matched pods');
    await expectSubsetCounts(pods, { 'subset-a': 2 }, '2 replicas fill subset-a');
    await waitForSubsets(ns.name, 'ws-elastic', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 0, missingReplicas: -1 } });

    await patchObject(CLONESET, ns.name, 'elastic', { spec: { replicas: 6 } });
    pods = await waitForSpreadPods(ns.name, podsOf('elastic'), 6, settled, '6 Ready, matched pods');
    await expectSubsetCounts(pods, { 'subset-a': 2, 'subset-b': 4 }, 'scale-out beyond subset-a goes to the elastic subset');
    await expectPlacedBy(pods, 'subset-b', ZONE, 'zone-b');
    await waitForSubsets(ns.name, 'ws-elastic', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 4, missingReplicas: -1 } });

    await patchObject(CLONESET, ns.name, 'elastic', { spec: { template: { spec: { containers: [container({ image: IMAGE_V2 })] } } } });
    pods = await waitForSpreadPods(ns.name, podsOf('elastic'), 6, (p) => settled(p) && imageOf(p) === IMAGE_V2, '6 Ready pods at the new image');
    await expectSubsetCounts(pods, { 'subset-a': 2, 'subset-b': 4 }, 'after the in-place image update');

    await patchObject(CLONESET, ns.name, 'elastic', { spec: { replicas: 2 } });
    pods = await waitForSpreadPods(ns.name, podsOf('elastic'), 2, settled, '2 Ready pods after scaling in');
    await expectSubsetCounts(pods, { 'subset-a': 2 }, 'scale-in removes the elastic subset (lower deletion cost) first');
    await waitForSubsets(ns.name, 'ws-elastic', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 0, missingReplicas: -1 } });
  });
});
