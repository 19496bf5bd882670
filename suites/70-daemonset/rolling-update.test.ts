/**
 * rollingUpdateType Standard without surge (OpenKruise v1.8.3 RollingUpdateDaemonSet,
 * pkg/controller/daemonset rollingUpdate): an old pod is deleted and its node gets a new pod once
 * it is gone. A per-node invariant monitor watches the whole rollout: never more nodes without an
 * available pod than maxUnavailable, never two active pods on one node, never a pod on a node that
 * should not run one. The peak shows the budget is used, not only respected.
 */
import { afterEach, expect, it } from 'vitest';
import { isPodReady, type InvariantMonitor } from '../../harness/kube/invariants.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { IMAGE_V2 } from '../lib/workloads.ts';
import { createSettled, daemonSetSettled, hasImage, onePerNode, renderDaemonPods, requireNodes, rollingUpdate, setImage, startNodeMonitor, uidsOf, waitDaemonPods, waitForDaemonSet, watched } from './fixtures.ts';

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

describeFeature('DaemonSet.RollingUpdate', 'Standard rolling update within maxUnavailable', () => {
  const ns = useNamespace('ads-rolling');

  it('maxUnavailable 2: every pod recreated at the new image, at most 2 nodes without an available pod at any moment, never two pods on a node', async () => {
    const nodes = await requireNodes(3);
    const name = 'standard';
    const { ds, pods } = await createSettled(ns.name, name, nodes, { updateStrategy: rollingUpdate({ rollingUpdateType: 'Standard', maxUnavailable: 2 }) });
    const started = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 2, maxSurge: 0 }, hasImage(IMAGE_V2));
    monitor = started.monitor;
    await setImage(ns.name, name, IMAGE_V2);
    const after = await watched(monitor, waitDaemonPods(ns.name, name, onePerNode(nodes, (p) => hasImage(IMAGE_V2)(p) && isPodReady(p)), `one Ready pod at ${IMAGE_V2} on each node`));
    const done = await watched(monitor, waitForDaemonSet(ns.name, name, (d) => daemonSetSettled(nodes.length)(d) && d.status?.daemonSetHash !== ds.status?.daemonSetHash, `all ${nodes.length} nodes updated and Ready`));
    await monitor.stop();
    const old = uidsOf(pods);
    expect(after.filter((p) => old.has(p.metadata!.uid!)).map((p) => p.metadata?.name), `Standard recreates: no original pod is left; pods:\n${renderDaemonPods(after)}`).toEqual([]);
    expect(started.peaks.unavailableNodes, `the most nodes without an available pod at one moment (maxUnavailable 2 is used, not exceeded); timeline:\n${monitor.timeline()}`).toBe(2);
    expect(done.status?.updatedNumberScheduled, 'updatedNumberScheduled at the end').toBe(nodes.length);
  });
});
