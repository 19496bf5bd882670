/**
 * rollingUpdate.paused (OpenKruise v1.8.3 RollingUpdateDaemonSet.paused): a paused DaemonSet does
 * not replace its existing pods, but a node that starts matching gets a pod, at the latest
 * revision. Unpausing rolls the others. The DaemonSet runs on nodes carrying a test-owned label.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import { isPodReady, type InvariantMonitor } from '../../harness/kube/invariants.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2 } from '../lib/workloads.ts';
import {
  NODE_LABEL_PREFIX,
  createSettled,
  daemonSetSettled,
  expectPodsHold,
  hasImage,
  labelNodes,
  nodeOf,
  onePerNode,
  patchRollingUpdate,
  renderDaemonPods,
  requireNodes,
  rollingUpdate,
  setImage,
  startNodeMonitor,
  unlabelAllNodes,
  waitDaemonPods,
  waitForDaemonSet,
  watched,
} from './fixtures.ts';

const POOL = `${NODE_LABEL_PREFIX}/paused-pool`;

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

describeFeature('DaemonSet.Paused', 'paused stops the rollout', () => {
  const ns = useNamespace('ads-paused');
  afterAll(() => unlabelAllNodes(POOL));

  it('paused with maxUnavailable 2: no existing pod is replaced after a template change, a newly matching node gets a new-revision pod; unpaused, all update', async () => {
    // Three nodes take part: two labelled from the start, the third labelled while paused.
    const all = (await requireNodes(3)).slice(0, 3);
    const pool = all.slice(0, 2);
    const late = all[2]!;
    await labelNodes(pool, POOL, 'yes');
    const name = 'paused';
    const { ds, pods } = await createSettled(ns.name, name, pool, { nodeSelector: { [POOL]: 'yes' }, updateStrategy: rollingUpdate({ rollingUpdateType: 'Standard', maxUnavailable: 2, paused: true }) });
    const isNew = hasImage(IMAGE_V2);
    // maxUnavailable 1: the late node has no pod until it is labelled; no original pod may go.
    const step1 = await startNodeMonitor(ns.name, name, { nodes: all, maxUnavailable: 1, maxSurge: 0, maxUpdated: 1, keepOriginalPods: true }, isNew);
    monitor = step1.monitor;
    await setImage(ns.name, name, IMAGE_V2);
    await watched(monitor, waitForDaemonSet(ns.name, name, (d) => d.status?.updatedNumberScheduled === 0 && d.status.numberReady === pool.length, `the new generation observed, updatedNumberScheduled 0 while paused`, timeouts().statusSync));
    await watched(monitor, expectPodsHold(ns.name, name, onePerNode(pool, (p) => hasImage(IMAGE_V1)(p) && isPodReady(p)), `paused: the ${pool.length} original pods stay at ${IMAGE_V1}`));

    await labelNodes([late], POOL, 'yes');
    const grown = await watched(
      monitor,
      waitDaemonPods(ns.name, name, onePerNode(all, isPodReady), `a Ready pod on the newly labelled ${late} too, the paused ones kept`, timeouts().podsReady),
    );
    const latePod = grown.find((p) => nodeOf(p) === late);
    expect(latePod && isNew(latePod), `the pod created for ${late} while paused is at the latest revision (${IMAGE_V2}); pods:\n${renderDaemonPods(grown)}`).toBe(true);
    expect(grown.filter((p) => pods.some((o) => o.metadata?.uid === p.metadata?.uid)).length, 'the original pods are still there').toBe(pool.length);
    await monitor.stop();

    const step2 = await startNodeMonitor(ns.name, name, { nodes: all, maxUnavailable: 2, maxSurge: 0 }, isNew);
    monitor = step2.monitor;
    await patchRollingUpdate(ns.name, name, { paused: false });
    await watched(monitor, waitDaemonPods(ns.name, name, onePerNode(all, (p) => isNew(p) && isPodReady(p)), `all ${all.length} pods at ${IMAGE_V2} after unpausing`));
    const done = await watched(monitor, waitForDaemonSet(ns.name, name, daemonSetSettled(all.length), `all ${all.length} nodes updated`));
    await monitor.stop();
    expect(done.status?.daemonSetHash, 'daemonSetHash moved to the new revision').not.toBe(ds.status?.daemonSetHash);
  });
});
