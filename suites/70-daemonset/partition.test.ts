/**
 * rollingUpdate.partition (OpenKruise v1.8.3 RollingUpdateDaemonSet.partition): the number of
 * nodes whose pods stay at the old revision. With partition n-2 a template change updates exactly
 * two nodes and stops there (an invariant monitor bounds the updated pods for the whole time);
 * lowering it to 0 finishes the rollout. Which nodes go first is not asserted.
 */
import { afterEach, expect, it } from 'vitest';
import { isPodReady, type InvariantMonitor } from '../../harness/kube/invariants.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2 } from '../lib/workloads.ts';
import {
  createSettled,
  daemonSetSettled,
  expectPodsHold,
  hasImage,
  onePerNode,
  patchRollingUpdate,
  renderDaemonPods,
  requireNodes,
  rollingUpdate,
  setImage,
  startNodeMonitor,
  waitDaemonPods,
  waitForDaemonSet,
  watched,
} from './fixtures.ts';

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

describeFeature('DaemonSet.Partition', 'partition keeps nodes at the old revision', () => {
  const ns = useNamespace('ads-partition');

  it('partition n-2 with maxUnavailable 3: exactly 2 nodes updated and it stays so; partition 0 updates the rest', async () => {
    const nodes = await requireNodes(3);
    const n = nodes.length;
    const name = 'parted';
    const { ds } = await createSettled(ns.name, name, nodes, { updateStrategy: rollingUpdate({ rollingUpdateType: 'Standard', maxUnavailable: 3, partition: n - 2 }) });
    const isNew = hasImage(IMAGE_V2);
    const step1 = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 3, maxSurge: 0, maxUpdated: 2 }, isNew);
    monitor = step1.monitor;
    await setImage(ns.name, name, IMAGE_V2);
    const two = (pods: Parameters<ReturnType<typeof onePerNode>>[0]) => onePerNode(nodes, isPodReady)(pods) && pods.filter(isNew).length === 2;
    const pods = await watched(monitor, waitDaemonPods(ns.name, name, two, `2 Ready pods at ${IMAGE_V2} and ${n - 2} at ${IMAGE_V1} (partition ${n - 2})`));
    const status = await watched(
      monitor,
      waitForDaemonSet(ns.name, name, (d) => d.status?.updatedNumberScheduled === 2 && d.status.numberReady === n && d.status.daemonSetHash !== ds.status?.daemonSetHash, `updatedNumberScheduled 2, numberReady ${n}`),
    );
    await watched(monitor, expectPodsHold(ns.name, name, two, `partition ${n - 2}: still 2 updated and ${n - 2} old pods, one per node`));
    await monitor.stop();
    expect(pods.filter((p) => !isNew(p)).length, `old pods kept under partition ${n - 2}; pods:\n${renderDaemonPods(pods)}`).toBe(n - 2);
    expect(status.status?.desiredNumberScheduled, 'desiredNumberScheduled').toBe(n);

    const step2 = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 3, maxSurge: 0 }, isNew);
    monitor = step2.monitor;
    await patchRollingUpdate(ns.name, name, { partition: 0 });
    await watched(monitor, waitDaemonPods(ns.name, name, onePerNode(nodes, (p) => isNew(p) && isPodReady(p)), `all ${n} pods at ${IMAGE_V2} after partition 0`));
    await watched(monitor, waitForDaemonSet(ns.name, name, daemonSetSettled(n), `all ${n} nodes updated`, timeouts().rolloutComplete));
    await monitor.stop();
  });
});
