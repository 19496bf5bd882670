/**
 * Negative deletion cost for pods outside every subset (spec §4.7): with N subsets they get
 * -100 x (N + 1), below every subset's pods, so scale-in removes them first. Here N = 1: the
 * subset's pods get 100, the others -200.
 */
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, WORKLOADSPREAD, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { cloneSet, podsOf } from '../lib/workloads.ts';
import { ZONE, costOf, describeSpreadPods, expectSubsetCounts, labelPatch, subsetOf, term, waitForSpreadPods, waitForSubsets, workloadSpread, zoneSubset } from './fixtures.ts';

describeFeature(['WorkloadSpread.DeletionCost', 'WorkloadSpread.MaxReplicas'], 'deletion cost of pods outside every subset', () => {
  const ns = useNamespace('ws-cost');

  it('pods the only subset (zone-a, 2) has no room for get cost -200 and are removed first on scale-in', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws', 'web', [zoneSubset('a', 'zone-a', 2, labelPatch('a'))]));
    const body = cloneSet('web', { replicas: 5 });
    // Unmodified pods stay out of zone-a, so none is adopted into the subset afterwards.
    (body.spec as { template: { spec: Record<string, unknown> } }).template.spec.affinity = {
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: term(ZONE, ['zone-a'], 'NotIn') }] },
    };
    await createObject(CLONESET, ns.name, body);
    const pods = await waitForSpreadPods(ns.name, podsOf('web'), 5, (p) => isPodReady(p) && costOf(p) !== undefined, '5 Ready pods, each with a deletion cost');
    await expectSubsetCounts(pods, { a: 2, '-': 3 }, '2 in subset a, 3 in no subset');
    for (const p of pods) expect(costOf(p), `deletion cost of ${p.metadata?.name} (subset ${subsetOf(p) ?? 'none'}):\n${describeSpreadPods(pods)}`).toBe(subsetOf(p) === 'a' ? '100' : '-200');
    await waitForSubsets(ns.name, 'ws', { a: { replicas: 2, missingReplicas: 0 } });

    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 3 } });
    const three = await waitForSpreadPods(ns.name, podsOf('web'), 3, isPodReady, '3 pods after scaling in to 3');
    await expectSubsetCounts(three, { a: 2, '-': 1 }, 'scale-in to 3 removes two pods outside the subset');
    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 2 } });
    const two = await waitForSpreadPods(ns.name, podsOf('web'), 2, isPodReady, '2 pods after scaling in to 2');
    await expectSubsetCounts(two, { a: 2 }, 'scale-in to 2 keeps the subset pods');
    await waitForSubsets(ns.name, 'ws', { a: { replicas: 2, missingReplicas: 0 } });
  });
});
