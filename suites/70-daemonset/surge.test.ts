/**
 * Surge updates (OpenKruise e2e "should successfully surging update daemonset with
 * minReadySeconds" [Conformance]; RollingUpdateDaemonSet.maxSurge; the deprecated rollingUpdateType
 * Surging). With maxUnavailable 0 a node's new pod starts beside its old one and the old one goes
 * only once the new one is available; a per-node invariant monitor checks for the whole rollout
 * that every node keeps an available pod, no node has more than two pods, and no more nodes than
 * maxSurge have a new pod that is not yet available beside an old one.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { isPodReady, type InvariantMonitor } from '../../harness/kube/invariants.ts';
import { ADVANCED_DAEMONSET, getObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import type { AdvancedDaemonSet } from '../lib/kinds.ts';
import { IMAGE_V2, podsOf } from '../lib/workloads.ts';
import {
  createSettled,
  daemonSetSettled,
  hasImage,
  nodeOf,
  onePerNode,
  renderDaemonPods,
  requireNodes,
  rollingUpdate,
  setImage,
  startNodeMonitor,
  uidsOf,
  waitDaemonPods,
  waitForDaemonSet,
  watched,
} from './fixtures.ts';

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

describeFeature('DaemonSet.MaxSurge', 'surge updates: the new pod starts beside the old one', () => {
  const ns = useNamespace('ads-surge');

  it('Standard with maxSurge 2, maxUnavailable 0: every node keeps an available pod, at most 2 nodes surge at a time, every node surged once', async () => {
    const nodes = await requireNodes(3);
    const name = 'surge2';
    const { pods } = await createSettled(ns.name, name, nodes, { updateStrategy: rollingUpdate({ rollingUpdateType: 'Standard', maxSurge: 2, maxUnavailable: 0 }) });
    const started = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 0, maxSurge: 2 }, hasImage(IMAGE_V2));
    monitor = started.monitor;
    await setImage(ns.name, name, IMAGE_V2);
    const after = await watched(monitor, waitDaemonPods(ns.name, name, onePerNode(nodes, (p) => hasImage(IMAGE_V2)(p) && isPodReady(p)), `one Ready pod at ${IMAGE_V2} on each node, the old ones gone`));
    await watched(monitor, waitForDaemonSet(ns.name, name, daemonSetSettled(nodes.length), `all ${nodes.length} nodes updated and Ready`));
    await monitor.stop();
    expect([...started.peaks.everDoubled].sort(), `every node ran its new pod beside its old one at some moment; timeline:\n${monitor.timeline()}`).toEqual([...nodes]);
    expect(after.filter((p) => uidsOf(pods).has(p.metadata!.uid!)).length, `no original pod is left; pods:\n${renderDaemonPods(after)}`).toBe(0);
  });

  it('the deprecated Surging type (no numbers given) is stored as Standard, maxSurge 1, maxUnavailable 0, and rolls out one node at a time without unavailability', async () => {
    const nodes = await requireNodes(3);
    const name = 'surging';
    await createSettled(ns.name, name, nodes, { updateStrategy: rollingUpdate({ rollingUpdateType: 'Surging' }) });
    const stored = await getObject<AdvancedDaemonSet>(ADVANCED_DAEMONSET, ns.name, name);
    expect(stored.spec.updateStrategy?.rollingUpdate, 'rollingUpdate as stored').toMatchObject({ rollingUpdateType: 'Standard', maxSurge: 1, maxUnavailable: 0 });
    const started = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 0, maxSurge: 1 }, hasImage(IMAGE_V2));
    monitor = started.monitor;
    await setImage(ns.name, name, IMAGE_V2);
    await watched(monitor, waitDaemonPods(ns.name, name, onePerNode(nodes, (p) => hasImage(IMAGE_V2)(p) && isPodReady(p)), `one Ready pod at ${IMAGE_V2} on each node`));
    await monitor.stop();
    expect([...started.peaks.everDoubled].sort(), `every node surged; timeline:\n${monitor.timeline()}`).toEqual([...nodes]);
  });

  it('maxSurge 100% with minReadySeconds 6: all new pods start at once; each old pod is deleted only after its node\'s new pod has been Ready for minReadySeconds', async () => {
    const minReady = 6;
    const nodes = await requireNodes(2);
    const name = 'minready';
    await createSettled(ns.name, name, nodes, { minReadySeconds: minReady, updateStrategy: rollingUpdate({ maxSurge: '100%', maxUnavailable: 0 }) });

    // Local times of what the watch shows: when each node's new pod turned Ready, when its old pod was marked for deletion.
    const readyAt = new Map<string, number>();
    const deletedAt = new Map<string, number>();
    const { kc } = kube();
    const abort = await new Watch(kc).watch(`/api/v1/namespaces/${ns.name}/pods`, { labelSelector: podsOf(name) }, (phase: string, p: V1Pod) => {
      const node = nodeOf(p);
      if (!node || phase === 'BOOKMARK') return;
      if (hasImage(IMAGE_V2)(p) && isPodReady(p) && !readyAt.has(node)) readyAt.set(node, Date.now());
      if (!hasImage(IMAGE_V2)(p) && (p.metadata?.deletionTimestamp || phase === 'DELETED') && !deletedAt.has(node)) deletedAt.set(node, Date.now());
    }, () => {});
    const started = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 0, maxSurge: nodes.length }, hasImage(IMAGE_V2));
    monitor = started.monitor;
    try {
      await setImage(ns.name, name, IMAGE_V2);
      await watched(monitor, waitDaemonPods(ns.name, name, (all) => nodes.every((n) => all.filter((p) => nodeOf(p) === n).length === 2), `two pods (old and new) on every node at once (maxSurge 100%)`));
      await watched(monitor, waitDaemonPods(ns.name, name, onePerNode(nodes, (p) => hasImage(IMAGE_V2)(p) && isPodReady(p)), `one Ready pod at ${IMAGE_V2} on each node, the old ones gone`));
      await monitor.stop();
    } finally {
      abort.abort();
    }
    for (const n of nodes) {
      const gap = (deletedAt.get(n) ?? Number.NaN) - (readyAt.get(n) ?? Number.NaN);
      // Ready conditions carry whole seconds, so a controller may count up to 1 s of readiness early.
      expect(gap, `node ${n}: ms from its new pod turning Ready to its old pod's deletion (minReadySeconds ${minReady}); ready at ${readyAt.get(n)}, deleted at ${deletedAt.get(n)}`).toBeGreaterThanOrEqual(minReady * 1000 - 1100);
    }
  });
});
