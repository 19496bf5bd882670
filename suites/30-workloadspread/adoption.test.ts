/**
 * Pods that exist before the WorkloadSpread, or that carry another WorkloadSpread's annotation,
 * are adopted once scheduled: matched to the subset their node fits best (required term and
 * tolerations must allow the node; preferred terms score it), annotated, given the metadata of the
 * subset patch and a deletion cost; pods beyond maxReplicas get a negative cost and go first on
 * scale-in; pods whose subset is removed fall outside every subset (spec §4.6, §4.7; OpenKruise
 * e2e "manage the pods that were created before workloadspread", "manage existing pods by only
 * preferredNodeSelector, then deletion subset-b").
 */
import { PatchStrategy, type V1Pod, setHeaderOptions } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, WORKLOADSPREAD, createObject, patchObject } from '../lib/api.ts';
import { kube } from '../lib/context.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { cloneSet, podsOf } from '../lib/workloads.ts';
import {
  MATCHED_ANNOTATION,
  ZONE,
  costOf,
  describeSpreadPods,
  expectSubsetCounts,
  matchedSubset,
  nodeLabel,
  nodesByName,
  plainSubset,
  subsetOf,
  term,
  waitForSpreadPods,
  waitForSubsets,
  workloadSpread,
  zoneSubset,
} from './fixtures.ts';

function preferringZone(name: string, replicas: number, zone: string): Record<string, unknown> {
  const body = cloneSet(name, { replicas });
  const t = (body.spec as { template: { spec: Record<string, unknown> } }).template;
  t.spec.affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: term(ZONE, [zone]) }] } };
  return body;
}

/** The arrangement needs the pods in one zone; say so plainly when the scheduler put one elsewhere. */
async function expectAllIn(pods: V1Pod[], zone: string): Promise<void> {
  const all = await nodesByName();
  expect(pods.map((p) => nodeLabel(all, p, ZONE)), `precondition: the pre-existing pods run in ${zone} (their template prefers it):\n${describeSpreadPods(pods, all)}`).toEqual(pods.map(() => zone));
}

describeFeature(['WorkloadSpread.Adoption', 'WorkloadSpread.DeletionCost'], 'pods created before the WorkloadSpread', () => {
  const ns = useNamespace('ws-adopt');

  it('adopts 4 running pods into zone-a (max 2), replacing a foreign annotation; the 2 beyond max get cost -100 and go first on scale-in', async () => {
    await createObject(CLONESET, ns.name, preferringZone('old', 4, 'zone-a'));
    const before = await waitForSpreadPods(ns.name, podsOf('old'), 4, isPodReady, '4 Ready pods before any WorkloadSpread');
    await expectAllIn(before, 'zone-a');
    const foreign = JSON.stringify({ name: 'another-ws', subset: 'subset-a' });
    for (const p of before.slice(0, 2)) await kube().core.patchNamespacedPod({ namespace: ns.name, name: p.metadata!.name!, body: { metadata: { annotations: { [MATCHED_ANNOTATION]: foreign } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

    const subsets = [zoneSubset('subset-a', 'zone-a', 2, { patch: { metadata: { labels: { 'spread-subset': 'a' } } } }), zoneSubset('subset-b', 'zone-b', undefined, { patch: { metadata: { labels: { 'spread-subset': 'b' } } } })];
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws', 'old', subsets));
    const adopted = await waitForSpreadPods(
      ns.name,
      podsOf('old'),
      4,
      (p) => matchedSubset(p.metadata?.annotations)?.name === 'ws' && costOf(p) !== undefined,
      '4 pods adopted by WorkloadSpread ws (annotation naming ws, a deletion cost)',
    );
    await expectSubsetCounts(adopted, { 'subset-a': 4 }, 'all 4 pods run in zone-a');
    for (const p of adopted) expect(p.metadata?.labels?.['spread-subset'], `metadata of the subset-a patch on adopted ${p.metadata?.name}`).toBe('a');
    expect(adopted.map(costOf).sort(), `deletion costs: 2 within max (200), 2 beyond it (-100 x (0 + 1)):\n${describeSpreadPods(adopted)}`).toEqual(['-100', '-100', '200', '200']);
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 4, missingReplicas: 0 }, 'subset-b': { replicas: 0, missingReplicas: -1 } });

    // Scale out: subset-a has no room, so the new pods go to subset-b.
    await patchObject(CLONESET, ns.name, 'old', { spec: { replicas: 6 } });
    const six = await waitForSpreadPods(ns.name, podsOf('old'), 6, (p) => isPodReady(p) && subsetOf(p) !== undefined && costOf(p) !== undefined, '6 Ready, matched pods');
    await expectSubsetCounts(six, { 'subset-a': 4, 'subset-b': 2 }, 'after scaling out to 6');
    expect(six.map(costOf).sort(), `deletion costs after scaling out:\n${describeSpreadPods(six)}`).toEqual(['-100', '-100', '100', '100', '200', '200']);
    const negative = new Set(six.filter((p) => costOf(p) === '-100').map((p) => p.metadata!.name!));

    // Scale in to 3: the two negative-cost pods go first, then the lower positive cost (subset-b).
    await patchObject(CLONESET, ns.name, 'old', { spec: { replicas: 3 } });
    const three = await waitForSpreadPods(ns.name, podsOf('old'), 3, isPodReady, '3 pods after scaling in');
    expect(three.filter((p) => negative.has(p.metadata!.name!)).map((p) => p.metadata?.name), `pods with cost -100 are deleted first:\n${describeSpreadPods(three)}`).toEqual([]);
    await expectSubsetCounts(three, { 'subset-a': 2, 'subset-b': 1 }, 'after scaling in to 3');
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 1, missingReplicas: -1 } });
  });

  it('adopts by preferred terms only (zone-b scores subset-b higher), then pods of a removed subset fall outside every subset (cost -200)', async () => {
    const toleration = { key: 'kruise-conformance.io/node-taint', operator: 'Exists', effect: 'NoSchedule' };
    const prefer = (a: number, b: number) => [
      { weight: a, preference: term(ZONE, ['zone-a']) },
      { weight: b, preference: term(ZONE, ['zone-b']) },
    ];
    await createObject(CLONESET, ns.name, preferringZone('pref', 3, 'zone-b'));
    const before = await waitForSpreadPods(ns.name, podsOf('pref'), 3, isPodReady, '3 Ready pods before any WorkloadSpread');
    await expectAllIn(before, 'zone-b');

    const subsetA = plainSubset('subset-a', 3, { tolerations: [toleration], preferredNodeSelectorTerms: prefer(20, 10) });
    const subsetB = plainSubset('subset-b', undefined, { tolerations: [toleration], preferredNodeSelectorTerms: prefer(10, 20) });
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-pref', 'pref', [subsetA, subsetB]));
    const adopted = await waitForSpreadPods(ns.name, podsOf('pref'), 3, (p) => subsetOf(p) !== undefined && costOf(p) !== undefined, '3 pods adopted, each with a deletion cost');
    await expectSubsetCounts(adopted, { 'subset-b': 3 }, 'the zone-b pods go to the subset that prefers zone-b more');
    expect(adopted.map(costOf), `deletion cost of subset-b (index 1 of 2): 100`).toEqual(['100', '100', '100']);
    await waitForSubsets(ns.name, 'ws-pref', { 'subset-a': { replicas: 0, missingReplicas: 3 }, 'subset-b': { replicas: 3, missingReplicas: -1 } });

    await patchObject(WORKLOADSPREAD, ns.name, 'ws-pref', { spec: { subsets: [subsetA] } });
    const orphaned = await waitForSpreadPods(ns.name, podsOf('pref'), 3, (p) => costOf(p) === '-200', '3 pods whose subset was removed, each with deletion cost -200 (-100 x (1 + 1))');
    expect(orphaned.length).toBe(3);
  });
});
