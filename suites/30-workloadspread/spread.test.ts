/**
 * WorkloadSpread over zones (spec §4.4-§4.7; OpenKruise e2e "deploy in two zone, the type of
 * maxReplicas is Integer", "elastic deployment, zone-a=2, zone-b=nil"): pods of a CloneSet are
 * placed into the first subset with room, annotated with their subset, patched, and given a
 * deletion cost that orders scale-in by subset.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { beforeAll, expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, WORKLOADSPREAD, createObject, getObject, type Obj, patchObject, waitForOne } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { cloneSet, podsOf, renderPods, waitForPods } from '../lib/workloads.ts';
import { DELETION_COST, matchedSubset, workloadSpread, zoneSubset } from './fixtures.ts';

interface SubsetStatus {
  name: string;
  replicas?: number;
  missingReplicas?: number;
}
interface WorkloadSpreadObj extends Obj {
  status?: { observedGeneration?: number; subsetStatuses?: SubsetStatus[] };
}

let zoneOfNode = new Map<string, string>();
const zoneOf = (p: V1Pod) => zoneOfNode.get(p.spec?.nodeName ?? '') ?? 'unscheduled';
const describePods = (pods: V1Pod[]) => pods.map((p) => `  ${p.metadata?.name} node=${p.spec?.nodeName} zone=${zoneOf(p)} subset=${matchedSubset(p.metadata?.annotations)?.subset} cost=${p.metadata?.annotations?.[DELETION_COST]}`).join('\n');

async function waitForSubsets(namespace: string, name: string, want: Record<string, { replicas: number; missingReplicas: number }>): Promise<WorkloadSpreadObj> {
  const ws = await waitForOne<WorkloadSpreadObj>(
    WORKLOADSPREAD,
    namespace,
    name,
    (o) => !!o && Object.entries(want).every(([subset, w]) => o.status?.subsetStatuses?.some((s) => s.name === subset && s.replicas === w.replicas && s.missingReplicas === w.missingReplicas)),
    { timeoutMs: timeouts().statusSync, describe: `WorkloadSpread ${name} status.subsetStatuses to be ${JSON.stringify(want)}`, namespace, render: (items) => JSON.stringify(items.map((i) => (i as WorkloadSpreadObj).status), null, 2) },
  );
  return ws!;
}

describeFeature(['WorkloadSpread.SubsetInjection', 'WorkloadSpread.MaxReplicas', 'WorkloadSpread.DeletionCost'], 'a CloneSet spread over two zones', () => {
  const ns = useNamespace('ws-spread');
  beforeAll(async () => {
    const nodes = await kube().core.listNode();
    zoneOfNode = new Map(nodes.items.map((n: V1Node) => [n.metadata!.name!, n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '']));
  });

  it('integer maxReplicas 3/3 on 6 replicas: 3 pods per zone, annotated, patched, with deletion costs 200/100', async () => {
    const subsets = [zoneSubset('subset-a', 'zone-a', 3, { patch: { metadata: { labels: { 'spread-subset': 'a' } } } }), zoneSubset('subset-b', 'zone-b', 3, { patch: { metadata: { labels: { 'spread-subset': 'b' } } } })];
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws', 'web', subsets));
    await createObject(CLONESET, ns.name, cloneSet('web', { replicas: 6 }));
    const pods = await waitForPods(ns.name, podsOf('web'), 6, (p) => isPodReady(p) && p.metadata?.annotations?.[DELETION_COST] !== undefined, '6 Ready pods with a deletion cost');
    const bySubset = (s: string) => pods.filter((p) => matchedSubset(p.metadata?.annotations)?.subset === s);
    expect({ a: bySubset('subset-a').length, b: bySubset('subset-b').length }, `pods per subset:\n${describePods(pods)}`).toEqual({ a: 3, b: 3 });
    for (const p of pods) {
      const m = matchedSubset(p.metadata?.annotations);
      expect(m?.name, `matched-workloadspread of ${p.metadata?.name}`).toBe('ws');
      const zone = m?.subset === 'subset-a' ? 'zone-a' : 'zone-b';
      expect(zoneOf(p), `${p.metadata?.name} of ${m?.subset} runs in ${zone}:\n${describePods(pods)}`).toBe(zone);
      expect(p.metadata?.labels?.['spread-subset'], `subset patch applied to ${p.metadata?.name}`).toBe(m?.subset === 'subset-a' ? 'a' : 'b');
      expect(p.metadata?.annotations?.[DELETION_COST], `deletion cost of ${p.metadata?.name} (100 x (2 - subset index))`).toBe(m?.subset === 'subset-a' ? '200' : '100');
    }
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 3, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: 0 } });

    // Scale in to 3: the lower deletion cost goes first, so subset-b loses its pods.
    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 3 } });
    const left = await waitForPods(ns.name, podsOf('web'), 3, isPodReady, '3 pods after scaling in');
    expect(left.map((p) => matchedSubset(p.metadata?.annotations)?.subset), `pods left after scale-in (subset-b has the lower cost):\n${renderPods(left as never)}`).toEqual(['subset-a', 'subset-a', 'subset-a']);
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 3, missingReplicas: 0 }, 'subset-b': { replicas: 0, missingReplicas: 3 } });
  });

  it('elastic: zone-a limited to 2, zone-b unlimited (missingReplicas -1) on 5 replicas', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-elastic', 'elastic', [zoneSubset('subset-a', 'zone-a', 2), zoneSubset('subset-b', 'zone-b', undefined)]));
    await createObject(CLONESET, ns.name, cloneSet('elastic', { replicas: 5 }));
    const pods = await waitForPods(ns.name, podsOf('elastic'), 5, (p) => isPodReady(p) && matchedSubset(p.metadata?.annotations) !== undefined, '5 Ready pods, each matched to a subset');
    const inA = pods.filter((p) => zoneOf(p) === 'zone-a').length;
    const inB = pods.filter((p) => zoneOf(p) === 'zone-b').length;
    expect({ inA, inB }, `pods per zone:\n${describePods(pods)}`).toEqual({ inA: 2, inB: 3 });
    await waitForSubsets(ns.name, 'ws-elastic', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: -1 } });
    const ws = await getObject<WorkloadSpreadObj>(WORKLOADSPREAD, ns.name, 'ws-elastic');
    expect(ws.status?.observedGeneration, 'status.observedGeneration').toBe(ws.metadata.generation);
  });
});
