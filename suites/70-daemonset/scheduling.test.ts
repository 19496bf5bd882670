/**
 * Where an Advanced DaemonSet runs its pods (OpenKruise e2e "should run and stop simple daemon",
 * "should run and stop complex daemon", "should retry creating failed daemon pods", all
 * [Conformance]): one pod on every eligible node, owned by the DaemonSet; a deleted pod and a pod
 * whose phase turned Failed are replaced on the same node; a template nodeSelector is followed as
 * node labels come and go and as the selector itself changes.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { ADVANCED_DAEMONSET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V2 } from '../lib/workloads.ts';
import {
  NODE_LABEL_PREFIX,
  createSettled,
  daemonSetWith,
  expectPodsHold,
  labelNodes,
  nodeOf,
  onePerNode,
  patchPodStatus,
  renderDaemonPods,
  requireNodes,
  unlabelAllNodes,
  waitDaemonPods,
  waitForDaemonSet,
} from './fixtures.ts';

const COLOR = `${NODE_LABEL_PREFIX}/color`;

describeFeature('DaemonSet.Scheduling', 'one daemon pod per eligible node', () => {
  const ns = useNamespace('ads-sched');
  afterAll(() => unlabelAllNodes(COLOR));

  it('runs one pod on every eligible node, owned by the DaemonSet; a deleted pod is replaced on its node', async () => {
    const nodes = await requireNodes(2);
    const { ds, pods } = await createSettled(ns.name, 'every', nodes, { image: IMAGE_V2, revisionHistoryLimit: 3 });
    for (const p of pods) {
      const owner = p.metadata?.ownerReferences?.find((o) => o.controller);
      // Any served version of the group names the same object (OpenKruise 1.9 writes v1beta1, 1.8 v1alpha1).
      expect(owner && { group: owner.apiVersion.split('/')[0], kind: owner.kind, name: owner.name, uid: owner.uid }, `controller owner of pod ${p.metadata?.name}: ${JSON.stringify(owner)}`).toEqual({
        group: 'apps.kruise.io',
        kind: 'DaemonSet',
        name: 'every',
        uid: ds.metadata.uid,
      });
    }
    expect(ds.status, 'status with every node running a Ready pod').toMatchObject({ desiredNumberScheduled: nodes.length, currentNumberScheduled: nodes.length, numberReady: nodes.length });

    const victim = pods.find((p) => nodeOf(p) === nodes[0])!;
    await kube().core.deleteNamespacedPod({ namespace: ns.name, name: victim.metadata!.name! });
    const after = await waitDaemonPods(
      ns.name,
      'every',
      onePerNode(nodes, (p) => isPodReady(p) && p.metadata?.uid !== victim.metadata?.uid),
      `a new Ready pod on ${nodes[0]} replacing the deleted ${victim.metadata?.name}, one pod on every other node`,
    );
    const others = new Set(pods.filter((p) => p !== victim).map((p) => p.metadata!.uid!));
    const kept = after.filter((p) => others.has(p.metadata!.uid!));
    expect(kept.length, `the pods of the other nodes are untouched; pods:\n${renderDaemonPods(after)}`).toBe(nodes.length - 1);
  });

  it('follows the template nodeSelector: no pod until a node has the label, leaves a node that loses it, moves when the selector changes', async () => {
    const nodes = await requireNodes(2);
    const [first, second] = [nodes[0]!, nodes[1]!];
    await createObject(ADVANCED_DAEMONSET, ns.name, daemonSetWith('colored', { nodeSelector: { [COLOR]: 'blue' } }));
    await waitForDaemonSet(ns.name, 'colored', (d) => d.status?.desiredNumberScheduled === 0, 'desiredNumberScheduled 0 while no node is blue', timeouts().statusSync);
    await expectPodsHold(ns.name, 'colored', (pods) => pods.length === 0, 'no daemon pod while no node matches the nodeSelector');

    await labelNodes([first], COLOR, 'blue');
    await waitDaemonPods(ns.name, 'colored', onePerNode([first], isPodReady), `one Ready pod on ${first}, the only blue node`, timeouts().podsReady);
    await waitForDaemonSet(ns.name, 'colored', (d) => d.status?.desiredNumberScheduled === 1 && d.status.currentNumberScheduled === 1 && d.status.numberReady === 1, 'one blue node scheduled and Ready', timeouts().statusSync);

    await labelNodes([first], COLOR, 'green');
    await waitDaemonPods(ns.name, 'colored', (pods) => pods.length === 0, `the pod of ${first} removed once the node is green, not blue`, timeouts().rolloutProgress);

    await patchObject(ADVANCED_DAEMONSET, ns.name, 'colored', { spec: { template: { spec: { nodeSelector: { [COLOR]: 'green' } } } } });
    await waitDaemonPods(ns.name, 'colored', onePerNode([first], isPodReady), `one Ready pod on ${first} after the nodeSelector became green`, timeouts().podsReady);

    await labelNodes([second], COLOR, 'green');
    await waitDaemonPods(ns.name, 'colored', onePerNode([first, second], isPodReady), `Ready pods on ${first} and ${second}, both green`, timeouts().podsReady);
    await waitForDaemonSet(ns.name, 'colored', (d) => d.status?.desiredNumberScheduled === 2 && d.status.currentNumberScheduled === 2, 'two green nodes desired and scheduled', timeouts().statusSync);
  });

  it('a pod whose phase is set to Failed is replaced by a new pod on the same node, and the failed one is deleted', async () => {
    const nodes = await requireNodes(1);
    const { pods } = await createSettled(ns.name, 'revive', nodes, { minReadySeconds: 1 });
    const failed: V1Pod = pods.find((p) => nodeOf(p) === nodes[0])!;
    await patchPodStatus(ns.name, failed.metadata!.name!, { phase: 'Failed' });
    const after = await waitDaemonPods(
      ns.name,
      'revive',
      (all) => onePerNode(nodes, isPodReady)(all) && !all.some((p) => p.metadata?.uid === failed.metadata?.uid),
      `the Failed pod ${failed.metadata?.name} gone and a new Ready pod on ${nodes[0]}`,
    );
    expect(after.find((p) => nodeOf(p) === nodes[0])?.metadata?.uid, 'the pod of the failed node is a new one').not.toBe(failed.metadata?.uid);
  });
});
