/**
 * What a pod gets from its subset at creation (spec §4.4; OpenKruise e2e "deploy in two zone",
 * "only one subset, zone-a=nil", "only one subset, zone-a=2"; seed "OpenKruise v1.6": multi-zone
 * and x86/arm subsets): the required node term (AND-ed into every term of the pod's own), the
 * subset's tolerations and preferred terms appended, the patch (priorityClassName with the
 * priority recomputed), the matched-workloadspread annotation; and nothing when no subset has room.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, WORKLOADSPREAD, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import { cloneSet, podsOf } from '../lib/workloads.ts';
import {
  ARCH,
  ZONE,
  costOf,
  describeSpreadPods,
  expectPlacedBy,
  expectSubsetCounts,
  labelPatch,
  matchedSubset,
  recordCreations,
  requiredTerms,
  subsetOf,
  term,
  waitForSpreadPods,
  waitForSubsets,
  workloadSpread,
  zoneSubset,
} from './fixtures.ts';

const matched = (p: V1Pod) => isPodReady(p) && subsetOf(p) !== undefined && costOf(p) !== undefined;

function withTemplate(body: Record<string, unknown>, spec: Record<string, unknown>): Record<string, unknown> {
  const t = (body.spec as { template: { spec: Record<string, unknown> } }).template;
  Object.assign(t.spec, spec);
  return body;
}

describeFeature(['WorkloadSpread.SubsetInjection', 'WorkloadSpread.MaxReplicas'], 'subset injection at pod creation', () => {
  const ns = useNamespace('ws-inject');

  it("appends the subset's tolerations and preferred terms to the pod's own, and ANDs its required term into each of the pod's terms", async () => {
    const toleration = { key: 'kruise-conformance.io/dedicated', operator: 'Equal', value: 'spread', effect: 'NoSchedule' };
    const preferred = { weight: 40, preference: term(ARCH, ['arm64']) };
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-tol', 'tol', [zoneSubset('a', 'zone-a', undefined, { tolerations: [toleration], preferredNodeSelectorTerms: [preferred] })]));
    const ownToleration = { key: 'kruise-conformance.io/own', operator: 'Exists', effect: 'NoSchedule' };
    const ownPreferred = { weight: 10, preference: term(ARCH, ['amd64']) };
    const ownTerms = [term('kubernetes.io/os', ['linux']), term(ARCH, ['amd64', 'arm64'])];
    await createObject(
      CLONESET,
      ns.name,
      withTemplate(cloneSet('tol', { replicas: 2 }), {
        tolerations: [ownToleration],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: ownTerms }, preferredDuringSchedulingIgnoredDuringExecution: [ownPreferred] } },
      }),
    );
    const pods = await waitForSpreadPods(ns.name, podsOf('tol'), 2, matched, '2 Ready pods matched to subset a');
    const zoneA = term(ZONE, ['zone-a']).matchExpressions;
    for (const p of pods) {
      const view = describeSpreadPods(pods);
      expect(p.spec?.tolerations, `tolerations of ${p.metadata?.name}: its own and the subset's\n${view}`).toContainEqual(ownToleration);
      expect(p.spec?.tolerations, `tolerations of ${p.metadata?.name}: its own and the subset's\n${view}`).toContainEqual(toleration);
      const preferredTerms = p.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
      expect(preferredTerms, `preferred terms of ${p.metadata?.name}: its own, then the subset's; got ${JSON.stringify(preferredTerms)}`).toEqual([ownPreferred, preferred]);
      expect(requiredTerms(p), `required terms of ${p.metadata?.name}: the subset's expression appended to each of the pod's own terms; got ${JSON.stringify(requiredTerms(p))}`).toEqual(
        ownTerms.map((t) => ({ matchExpressions: [...t.matchExpressions, ...zoneA] })),
      );
    }
    await expectPlacedBy(pods, 'a', ZONE, 'zone-a');
  });

  const priorityClass = () => `kc-ws-prio-${ns.name}`;
  afterAll(async () => {
    await kube()
      .kc.makeApiClient((await import('@kubernetes/client-node')).SchedulingV1Api)
      .deletePriorityClass({ name: priorityClass() })
      .catch(() => undefined);
  });

  it('a priorityClassName patch: pods get the class and its priority (100), a single unlimited subset, on scale-out too', async () => {
    const scheduling = kube().kc.makeApiClient((await import('@kubernetes/client-node')).SchedulingV1Api);
    await scheduling.createPriorityClass({ body: { metadata: { name: priorityClass() }, value: 100, globalDefault: false } });
    const patch = { metadata: { labels: { 'spread-subset': 'a' } }, spec: { priorityClassName: priorityClass() } };
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-prio', 'prio', [zoneSubset('a', 'zone-a', undefined, { patch })]));
    await createObject(CLONESET, ns.name, cloneSet('prio', { replicas: 2 }));
    const check = (pods: V1Pod[]) => {
      for (const p of pods) {
        const got = { class: p.spec?.priorityClassName, priority: p.spec?.priority, label: p.metadata?.labels?.['spread-subset'], cost: costOf(p) };
        expect(got, `${p.metadata?.name} after the subset patch (class ${priorityClass()}, priority 100, label a, cost 100); got ${JSON.stringify(got)}`).toEqual({
          class: priorityClass(),
          priority: 100,
          label: 'a',
          cost: '100',
        });
      }
    };
    check(await waitForSpreadPods(ns.name, podsOf('prio'), 2, matched, '2 Ready pods matched to subset a'));
    await waitForSubsets(ns.name, 'ws-prio', { a: { replicas: 2, missingReplicas: -1 } });
    await patchObject(CLONESET, ns.name, 'prio', { spec: { replicas: 4 } });
    check(await waitForSpreadPods(ns.name, podsOf('prio'), 4, matched, '4 Ready pods matched to subset a'));
    await waitForSubsets(ns.name, 'ws-prio', { a: { replicas: 4, missingReplicas: -1 } });
  });

  it('no subset with room: pods beyond the only subset (zone-a, 2) are created unmodified', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-full', 'full', [zoneSubset('a', 'zone-a', 2, labelPatch('a'))]));
    const recorder = await recordCreations(ns.name, podsOf('full'));
    try {
      // The template keeps unmodified pods out of zone-a, so none can be adopted into the subset later.
      const avoidA = { weight: 100, preference: term(ZONE, ['zone-a'], 'NotIn') };
      await createObject(CLONESET, ns.name, withTemplate(cloneSet('full', { replicas: 6 }), { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [avoidA] } } }));
      const pods = await waitForSpreadPods(ns.name, podsOf('full'), 6, isPodReady, '6 Ready pods');
      await waitForSubsets(ns.name, 'ws-full', { a: { replicas: 2, missingReplicas: 0 } });
      const created = recorder.created;
      const view = `pods as created:\n${describeSpreadPods(created)}`;
      const injected = created.filter((p) => matchedSubset(p.metadata?.annotations) !== undefined);
      const plain = created.filter((p) => matchedSubset(p.metadata?.annotations) === undefined);
      expect({ injected: injected.length, plain: plain.length }, view).toEqual({ injected: 2, plain: 4 });
      for (const p of injected) expect({ subset: subsetOf(p), terms: requiredTerms(p), label: p.metadata?.labels?.['spread-subset'] }, view).toEqual({ subset: 'a', terms: [term(ZONE, ['zone-a'])], label: 'a' });
      for (const p of plain) {
        expect({ terms: requiredTerms(p), label: p.metadata?.labels?.['spread-subset'], cost: costOf(p) }, `${p.metadata?.name} is created as its template says\n${view}`).toEqual({
          terms: undefined,
          label: undefined,
          cost: undefined,
        });
      }
      const a = pods.filter((p) => subsetOf(p) === 'a');
      expect(a.map((p) => costOf(p)), `deletion cost of the pods in subset a:\n${describeSpreadPods(pods)}`).toEqual(['100', '100']);
    } finally {
      recorder.stop();
    }
  });
});

// Own feature, Extended: it needs an arm64 node in zone-a (MultiArch), which a single-arch cluster
// (kind's workers) cannot offer, and Core runs on every substrate.
describeFeature(['WorkloadSpread.MultiArch'], 'subsets over zones and CPU architectures', () => {
  const ns = useNamespace('ws-arch');

  it('multi-zone and multi-arch subsets: zone-a/arm64 (2), zone-b/amd64 (2), zone-c (unlimited), each pod carrying exactly its subset term', async () => {
    const armA = { name: 'a-arm64', requiredNodeSelectorTerm: { matchExpressions: [...term(ZONE, ['zone-a']).matchExpressions, ...term(ARCH, ['arm64']).matchExpressions] }, maxReplicas: 2 };
    const amdB = { name: 'b-amd64', requiredNodeSelectorTerm: { matchExpressions: [...term(ZONE, ['zone-b']).matchExpressions, ...term(ARCH, ['amd64']).matchExpressions] }, maxReplicas: 2 };
    const c = zoneSubset('c', 'zone-c', undefined);
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-arch', 'arch', [armA, amdB, c]));
    await createObject(CLONESET, ns.name, cloneSet('arch', { replicas: 5 }));
    const pods = await waitForSpreadPods(ns.name, podsOf('arch'), 5, matched, '5 Ready pods, each matched to a subset with a deletion cost');
    await expectSubsetCounts(pods, { 'a-arm64': 2, 'b-amd64': 2, c: 1 }, '5 replicas over 2 + 2 + unlimited');
    await expectPlacedBy(pods, 'a-arm64', ZONE, 'zone-a');
    await expectPlacedBy(pods, 'a-arm64', ARCH, 'arm64');
    await expectPlacedBy(pods, 'b-amd64', ZONE, 'zone-b');
    await expectPlacedBy(pods, 'b-amd64', ARCH, 'amd64');
    await expectPlacedBy(pods, 'c', ZONE, 'zone-c');
    const bySubset: Record<string, unknown> = { 'a-arm64': armA.requiredNodeSelectorTerm, 'b-amd64': amdB.requiredNodeSelectorTerm, c: c.requiredNodeSelectorTerm };
    for (const p of pods) {
      expect(requiredTerms(p), `required node terms of ${p.metadata?.name} (subset ${subsetOf(p)}): the subset's term only; got ${JSON.stringify(requiredTerms(p))}`).toEqual([bySubset[subsetOf(p)!]]);
      expect(costOf(p), `deletion cost of ${p.metadata?.name} (100 x (3 - subset index))`).toBe({ 'a-arm64': '300', 'b-amd64': '200', c: '100' }[subsetOf(p)!]);
    }
    await waitForSubsets(ns.name, 'ws-arch', { 'a-arm64': { replicas: 2, missingReplicas: 0 }, 'b-amd64': { replicas: 2, missingReplicas: 0 }, c: { replicas: 1, missingReplicas: -1 } });
  });
});
