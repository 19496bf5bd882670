/**
 * updateStrategy.priorityStrategy (spec digest §2.8 Update step 5, Appendix A.2, §13.15): which
 * pods a partitioned rollout updates first. weightPriority: higher summed weight first.
 * orderPriority: pods without any ordered key first, then by key position, then the larger
 * trailing integer of the label value first. The rollout is released one partition step at a
 * time, so "first" is read from which original pods are gone (ReCreate), not from timing.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import type { CloneSetSpec } from '../lib/kinds.ts';
import { IMAGE_V2, cloneSetSettled, waitForCloneSet } from '../lib/workloads.ts';
import { cloneSetWith, describePods, listPods, patchPod, revisionOf, setImage, waitPods } from './fixtures.ts';

type Strategy = NonNullable<CloneSetSpec['updateStrategy']>;
const nameOf = (p: V1Pod) => p.metadata!.name!;

describeFeature('CloneSet.UpdatePriority', 'priorityStrategy orders the pods to update', () => {
  const ns = useNamespace('cs-priority');

  /** Create with partition = replicas, change the image (nothing updates yet), label the pods. */
  async function prepare(name: string, replicas: number, priorityStrategy: Strategy['priorityStrategy'], labels: (Record<string, string> | undefined)[]) {
    await createObject(CLONESET, ns.name, cloneSetWith(name, { replicas, updateStrategy: { partition: replicas, priorityStrategy } }));
    const first = await waitForCloneSet(ns.name, name, cloneSetSettled(replicas), `${replicas} pods Ready`, timeouts().podsReady);
    const pods = (await listPods(ns.name, name)).sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    for (const [i, p] of pods.entries()) if (labels[i]) await patchPod(ns.name, nameOf(p), { metadata: { labels: labels[i] } });
    await setImage(ns.name, name, IMAGE_V2);
    const cs = await waitForCloneSet(ns.name, name, (c) => c.status?.updateRevision !== first.status?.updateRevision, 'a new updateRevision');
    return { pods, rev: cs.status!.updateRevision! };
  }

  /** Lower the partition and return the names of the original pods still present once it settles. */
  async function release(name: string, replicas: number, partition: number, rev: string, originals: readonly V1Pod[]): Promise<string[]> {
    await patchObject(CLONESET, ns.name, name, { spec: { updateStrategy: { partition } } });
    const pods = await waitPods(
      ns.name,
      name,
      (ps) => ps.length === replicas && ps.every((p) => isPodReady(p) && !p.metadata?.deletionTimestamp) && ps.filter((p) => revisionOf(p) === rev).length === replicas - partition,
      `${replicas - partition} of ${replicas} Ready pods updated`,
    );
    const names = new Set(originals.map(nameOf));
    return pods.filter((p) => names.has(nameOf(p))).map(nameOf).sort();
  }

  it('weightPriority: the pod with the highest summed weight is updated first, unmatched pods last', async () => {
    const weights: Strategy['priorityStrategy'] = {
      weightPriority: [
        { weight: 50, matchSelector: { matchLabels: { p: 'high' } } },
        { weight: 10, matchSelector: { matchLabels: { p: 'mid' } } },
      ],
    };
    const { pods, rev } = await prepare('weight', 3, weights, [undefined, { p: 'high' }, { p: 'mid' }]);
    const [a, b, c] = pods.map(nameOf) as [string, string, string];
    expect(await release('weight', 3, 2, rev, pods), `after partition 2: ${b} (weight 50) replaced first`).toEqual([a, c].sort());
    expect(await release('weight', 3, 1, rev, pods), `after partition 1: ${c} (weight 10) next; ${a} (no weight) kept`).toEqual([a]);
  });

  it('orderPriority: pods without the key first, then the larger trailing number first', async () => {
    const order: Strategy['priorityStrategy'] = { orderPriority: [{ orderedKey: 'order' }] };
    const { pods, rev } = await prepare('order', 4, order, [undefined, { order: 'x-1' }, { order: 'x-3' }, { order: 'x-2' }]);
    const [a, b, c, d] = pods.map(nameOf) as [string, string, string, string];
    expect(await release('order', 4, 3, rev, pods), `after partition 3: ${a} (no key) replaced first:\n${describePods(pods)}`).toEqual([b, c, d].sort());
    expect(await release('order', 4, 1, rev, pods), `after partition 1: ${c} (x-3) and ${d} (x-2) next; ${b} (x-1) kept`).toEqual([b]);
  });
});
