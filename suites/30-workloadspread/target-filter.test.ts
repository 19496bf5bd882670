/**
 * targetFilter (1.8; spec §4.2, §4.8): only pods matching targetFilter.selector are managed, and
 * percent maxReplicas resolve against the sum of the integers at replicasPathList in the workload.
 * The custom-workload whitelist is install-time configuration of an implementation, so these
 * tests use a CloneSet target, which every implementation supports.
 */
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, WORKLOADSPREAD, createObject, type Obj, waitForOne } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { cloneSet, podsOf, waitForPods } from '../lib/workloads.ts';
import { matchedSubset, workloadSpread, zoneSubset } from './fixtures.ts';

interface WS extends Obj {
  status?: { subsetStatuses?: { name: string; replicas?: number; missingReplicas?: number }[] };
}

function withRole(name: string, role: string, replicas: number): Record<string, unknown> {
  const body = cloneSet(name, { replicas });
  const spec = body.spec as { template: { metadata: { labels: Record<string, string> } } };
  spec.template.metadata.labels.role = role;
  return body;
}

describeFeature('WorkloadSpread.TargetFilter', 'targetFilter selects the pods a WorkloadSpread manages', () => {
  const ns = useNamespace('ws-filter');

  it('pods that do not match targetFilter.selector are neither injected nor counted', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws-ps', 'ps', [zoneSubset('subset-a', 'zone-a', 1)], { targetFilter: { selector: { matchLabels: { role: 'worker' } } } }));
    await createObject(CLONESET, ns.name, withRole('ps', 'ps', 3));
    const pods = await waitForPods(ns.name, podsOf('ps'), 3, isPodReady, '3 Ready pods of a CloneSet whose pods do not match the filter');
    expect(pods.map((p) => matchedSubset(p.metadata?.annotations)), 'matched-workloadspread annotations (none expected)').toEqual([undefined, undefined, undefined]);
    await waitForOne<WS>(WORKLOADSPREAD, ns.name, 'ws-ps', (o) => o?.status?.subsetStatuses?.find((s) => s.name === 'subset-a')?.replicas === 0, {
      timeoutMs: timeouts().statusSync,
      describe: 'subset-a to count 0 replicas',
      namespace: ns.name,
    });
  });

  it('percent maxReplicas resolve against the replicas found at replicasPathList', async () => {
    const ws = workloadSpread('ws-worker', 'worker', [zoneSubset('subset-a', 'zone-a', '50%'), zoneSubset('subset-b', 'zone-b', '50%')], {
      targetFilter: { selector: { matchLabels: { role: 'worker' } }, replicasPathList: ['spec.replicas'] },
    });
    await createObject(WORKLOADSPREAD, ns.name, ws);
    await createObject(CLONESET, ns.name, withRole('worker', 'worker', 4));
    const pods = await waitForPods(ns.name, podsOf('worker'), 4, (p) => isPodReady(p) && matchedSubset(p.metadata?.annotations) !== undefined, '4 Ready, matched pods');
    const count = (s: string) => pods.filter((p) => matchedSubset(p.metadata?.annotations)?.subset === s).length;
    expect({ a: count('subset-a'), b: count('subset-b') }, '50% of 4 replicas (from spec.replicas) per subset').toEqual({ a: 2, b: 2 });
  });
});
