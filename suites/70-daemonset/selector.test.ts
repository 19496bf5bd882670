/**
 * rollingUpdate.selector (OpenKruise v1.8.3 RollingUpdateDaemonSet.selector): only the pods of
 * nodes whose labels match are updated. Two nodes get a test-owned label; a template change
 * updates their pods and no other (an invariant monitor checks that no updated pod ever appears on
 * another node); removing the selector updates the rest.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import { isPodReady, type InvariantMonitor } from '../../harness/kube/invariants.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { IMAGE_V2 } from '../lib/workloads.ts';
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

const CANARY = `${NODE_LABEL_PREFIX}/canary`;

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

describeFeature('DaemonSet.Selector', 'rollingUpdate.selector limits the rollout to matching nodes', () => {
  const ns = useNamespace('ads-selector');
  afterAll(() => unlabelAllNodes(CANARY));

  it('selector canary=true on 2 nodes: only their pods are updated, the others stay; without the selector the rest follow', async () => {
    const nodes = await requireNodes(3);
    const canaries = [nodes[0]!, nodes[nodes.length - 1]!];
    await labelNodes(canaries, CANARY, 'true');
    const name = 'canary';
    await createSettled(ns.name, name, nodes, { updateStrategy: rollingUpdate({ rollingUpdateType: 'Standard', maxUnavailable: 2, selector: { matchLabels: { [CANARY]: 'true' } } }) });
    const isNew = hasImage(IMAGE_V2);
    const step1 = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 2, maxSurge: 0, maxUpdated: 2, updatedOnlyOn: canaries }, isNew);
    monitor = step1.monitor;
    await setImage(ns.name, name, IMAGE_V2);
    const onCanaries = (pods: Parameters<ReturnType<typeof onePerNode>>[0]) =>
      onePerNode(nodes, isPodReady)(pods) && pods.every((p) => isNew(p) === canaries.includes(nodeOf(p)!));
    const pods = await watched(monitor, waitDaemonPods(ns.name, name, onCanaries, `pods at ${IMAGE_V2} on ${canaries.join(' and ')} only, Ready, one per node`));
    await watched(monitor, waitForDaemonSet(ns.name, name, (d) => d.status?.updatedNumberScheduled === 2 && d.status.numberReady === nodes.length, 'updatedNumberScheduled 2'));
    await watched(monitor, expectPodsHold(ns.name, name, onCanaries, `only the canary nodes ${canaries.join(', ')} updated`));
    await monitor.stop();
    expect(pods.filter(isNew).map(nodeOf).sort(), `nodes with an updated pod; pods:\n${renderDaemonPods(pods)}`).toEqual([...canaries].sort());

    const step2 = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 2, maxSurge: 0 }, isNew);
    monitor = step2.monitor;
    await patchRollingUpdate(ns.name, name, { selector: null });
    await watched(monitor, waitDaemonPods(ns.name, name, onePerNode(nodes, (p) => isNew(p) && isPodReady(p)), `all pods at ${IMAGE_V2} once the selector is removed`));
    await watched(monitor, waitForDaemonSet(ns.name, name, daemonSetSettled(nodes.length), 'all nodes updated'));
    await monitor.stop();
  });
});
