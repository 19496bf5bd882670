/**
 * Chosen deletions (spec digest §1.5, §2.7 truncation of podsToDelete, §2.8 specified deletes):
 * a pod named in scaleStrategy.podsToDelete, or carrying the apps.kruise.io/specified-delete
 * label (any value), is deleted by the controller and replaced unless replicas went down with it;
 * names of pods that no longer exist are dropped from podsToDelete.
 */
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { cloneSetSettled, waitForCloneSet } from '../lib/workloads.ts';
import { SPECIFIED_DELETE_LABEL, cloneSetWith, describePods, listPods, patchPod, settledPods, uidsOf, waitPods } from './fixtures.ts';

describeFeature('CloneSet.PodsToDelete', 'podsToDelete and the specified-delete label', () => {
  const ns = useNamespace('cs-ptd');

  it('a pod named in podsToDelete is deleted and replaced; the name is then dropped from the list', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('named', { replicas: 3 }));
    await waitForCloneSet(ns.name, 'named', cloneSetSettled(3), '3 pods Ready', timeouts().podsReady);
    const pods = await listPods(ns.name, 'named');
    const victim = pods[1]!;
    const keep = pods.filter((p) => p !== victim).map((p) => p.metadata!.uid!);
    await patchObject(CLONESET, ns.name, 'named', { spec: { scaleStrategy: { podsToDelete: [victim.metadata!.name!] } } });
    const after = await waitPods(ns.name, 'named', settledPods(3, (p) => isPodReady(p) && p.metadata?.uid !== victim.metadata?.uid), `3 Ready pods without ${victim.metadata?.name}`);
    expect(keep.every((u) => uidsOf(after).has(u)), `the two other pods are untouched:\n${describePods(after)}`).toBe(true);
    await waitForCloneSet(ns.name, 'named', (cs) => (cs.spec.scaleStrategy?.podsToDelete ?? []).length === 0, 'spec.scaleStrategy.podsToDelete emptied once the pod is gone', timeouts().statusSync);
  });

  it('podsToDelete together with a lower replicas removes exactly the named pod', async () => {
    const pods = await listPods(ns.name, 'named');
    const victim = pods[0]!;
    const keep = pods.filter((p) => p !== victim).map((p) => p.metadata!.uid!);
    await patchObject(CLONESET, ns.name, 'named', { spec: { replicas: 2, scaleStrategy: { podsToDelete: [victim.metadata!.name!] } } });
    const after = await waitPods(ns.name, 'named', settledPods(2, isPodReady), '2 Ready pods, none terminating');
    expect([...uidsOf(after)].sort(), `the pods left are the two not named:\n${describePods(after)}`).toEqual([...keep].sort());
    await waitForCloneSet(ns.name, 'named', cloneSetSettled(2), 'status counts 2 pods');
  });

  it('a pod labelled apps.kruise.io/specified-delete is deleted and replaced, whatever the label value', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('labelled', { replicas: 3 }));
    await waitForCloneSet(ns.name, 'labelled', cloneSetSettled(3), '3 pods Ready', timeouts().podsReady);
    const pods = await listPods(ns.name, 'labelled');
    const victim = pods[2]!;
    const keep = pods.filter((p) => p !== victim).map((p) => p.metadata!.uid!);
    await patchPod(ns.name, victim.metadata!.name!, { metadata: { labels: { [SPECIFIED_DELETE_LABEL]: 'please' } } });
    const after = await waitPods(ns.name, 'labelled', settledPods(3, (p) => isPodReady(p) && p.metadata?.uid !== victim.metadata?.uid), `3 Ready pods without ${victim.metadata?.name}`);
    expect(keep.every((u) => uidsOf(after).has(u)), `the two other pods are untouched:\n${describePods(after)}`).toBe(true);
    expect(after.filter((p) => p.metadata?.labels?.[SPECIFIED_DELETE_LABEL] !== undefined), 'the replacement does not carry the label').toEqual([]);
  });
});
