/**
 * Which pods a scale-in removes (spec digest §2.8 step 6, ranking of choosePodsToDelete): not-ready
 * pods before ready ones, then lower controller.kubernetes.io/pod-deletion-cost first. Readiness is
 * steered with a readiness gate only the test sets, so "not ready" is a fact, not a race.
 * Unscheduled-first is not covered: every pod of one template schedules alike on this substrate.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { cloneSetSettled, waitForCloneSet } from '../lib/workloads.ts';
import { DELETION_COST_ANNOTATION, HOLD_GATE, cloneSetWith, describePods, holdGateOpen, listPods, openHoldGates, patchPod, settledPods, waitPods } from './fixtures.ts';

const nameOf = (p: V1Pod) => p.metadata!.name!;

describeFeature('CloneSet.ScaleInOrder', 'scale-in order', () => {
  const ns = useNamespace('cs-order');

  it('removes lower pod-deletion-cost pods first', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('cost', { replicas: 4 }));
    await waitForCloneSet(ns.name, 'cost', cloneSetSettled(4), '4 pods Ready', timeouts().podsReady);
    const pods = (await listPods(ns.name, 'cost')).sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    const costs = [100, -50, 10, 200];
    for (const [i, p] of pods.entries()) await patchPod(ns.name, nameOf(p), { metadata: { annotations: { [DELETION_COST_ANNOTATION]: String(costs[i]) } } });
    const expectedLeft = [nameOf(pods[0]!), nameOf(pods[3]!)].sort();

    await patchObject(CLONESET, ns.name, 'cost', { spec: { replicas: 2 } });
    const left = await waitPods(ns.name, 'cost', settledPods(2), '2 pods left, none terminating');
    expect(left.map(nameOf).sort(), `costs ${pods.map((p, i) => `${nameOf(p)}=${costs[i]}`).join(', ')}: the two highest stay; left:\n${describePods(left)}`).toEqual(expectedLeft);
  });

  it('removes a not-ready pod before ready ones, even when its deletion cost is the highest', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('ready', { replicas: 3, readinessGates: [HOLD_GATE] }));
    const pods = (await waitPods(ns.name, 'ready', settledPods(3, (p) => p.status?.phase === 'Running'), '3 Running pods (held not Ready by the test gate)', timeouts().podsReady)).sort((a, b) =>
      nameOf(a).localeCompare(nameOf(b)),
    );
    const [held, low, high] = pods as [V1Pod, V1Pod, V1Pod];
    await patchPod(ns.name, nameOf(held), { metadata: { annotations: { [DELETION_COST_ANNOTATION]: '1000' } } });
    await patchPod(ns.name, nameOf(low), { metadata: { annotations: { [DELETION_COST_ANNOTATION]: '-100' } } });
    await patchPod(ns.name, nameOf(high), { metadata: { annotations: { [DELETION_COST_ANNOTATION]: '50' } } });
    await openHoldGates(ns.name, [low, high]);
    await waitPods(ns.name, 'ready', (ps) => ps.length === 3 && ps.filter(isPodReady).length === 2 && !isPodReady(ps.find((p) => nameOf(p) === nameOf(held))!), `${nameOf(held)} not Ready, the other two Ready`);

    await patchObject(CLONESET, ns.name, 'ready', { spec: { replicas: 2 } });
    const two = await waitPods(ns.name, 'ready', settledPods(2), '2 pods left, none terminating');
    expect(two.map(nameOf).sort(), `the not-ready ${nameOf(held)} (cost 1000) goes first; left:\n${describePods(two)}`).toEqual([nameOf(low), nameOf(high)].sort());

    // Among ready pods the cost decides again.
    await patchObject(CLONESET, ns.name, 'ready', { spec: { replicas: 1 } });
    const one = await waitPods(ns.name, 'ready', settledPods(1), '1 pod left, none terminating');
    expect(one.map(nameOf), `then the ready pod with the lower cost (${nameOf(low)} at -100) goes; left:\n${describePods(one)}`).toEqual([nameOf(high)]);
    expect(holdGateOpen(one[0]!) && isPodReady(one[0]!), 'the pod left is Ready').toBe(true);
  });
});
