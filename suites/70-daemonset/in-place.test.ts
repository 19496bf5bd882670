/**
 * In-place updates of Advanced DaemonSets (OpenKruise e2e "should only inplace image if update
 * daemonset image with inplace update strategy", "Should upgrade inplace if update image and
 * recreate if update others" [Conformance]). With rollingUpdateType InPlaceIfPossible the pods
 * carry the InPlaceUpdateReady readiness gate; an image change of one container keeps every pod
 * (UID, node), restarts only that container and records apps.kruise.io/inplace-update-state; an
 * env change recreates the pods. A per-node invariant monitor watches both rollouts.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { isPodReady, type InvariantMonitor } from '../../harness/kube/invariants.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { IMAGE_V1, IMAGE_V2, IMAGE_V3, container } from '../lib/workloads.ts';
import {
  INPLACE_READY,
  INPLACE_STATE_ANNOTATION,
  createSettled,
  daemonSetSettled,
  hasImage,
  jsonPatchDaemonSet,
  mainStatus,
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

const restarts = (p: V1Pod, c: string) => mainStatus(p, c)?.restartCount ?? 0;

describeFeature('DaemonSet.InPlaceUpdate', 'InPlaceIfPossible updates images in place', () => {
  const ns = useNamespace('ads-inplace');
  const strategy = rollingUpdate({ rollingUpdateType: 'InPlaceIfPossible', maxUnavailable: 2 });
  const sidecar = container({ name: 'side', image: IMAGE_V3 });

  it('an image change of container main keeps every pod (UID, node), restarts main once and side not at all, behind the InPlaceUpdateReady gate', async () => {
    const nodes = await requireNodes(2);
    const name = 'inplace';
    const { ds, pods } = await createSettled(ns.name, name, nodes, { updateStrategy: strategy, extraContainers: [sidecar] });
    for (const p of pods) expect(p.spec?.readinessGates?.map((g) => g.conditionType), `readiness gates of ${p.metadata?.name}`).toContain(INPLACE_READY);
    const before = new Map(pods.map((p) => [p.metadata!.uid!, { node: nodeOf(p), main: restarts(p, 'main'), side: restarts(p, 'side') }]));

    const started = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 2, maxSurge: 0, keepOriginalPods: true }, hasImage(IMAGE_V2));
    monitor = started.monitor;
    await setImage(ns.name, name, IMAGE_V2);
    const after = await watched(
      monitor,
      waitDaemonPods(
        ns.name,
        name,
        onePerNode(nodes, (p) => hasImage(IMAGE_V2)(p) && isPodReady(p) && mainStatus(p, 'main')?.image === IMAGE_V2 && mainStatus(p, 'main')?.ready === true),
        `every pod running ${IMAGE_V2} in main (status too) and Ready`,
      ),
    );
    await watched(monitor, waitForDaemonSet(ns.name, name, (d) => daemonSetSettled(nodes.length)(d) && d.status?.daemonSetHash !== ds.status?.daemonSetHash, 'all nodes updated and Ready'));
    await monitor.stop();

    expect(uidsOf(after), `the same pods after the in-place update; pods:\n${renderDaemonPods(after)}`).toEqual(new Set(before.keys()));
    for (const p of after) {
      const b = before.get(p.metadata!.uid!)!;
      const what = `pod ${p.metadata?.name}`;
      expect(nodeOf(p), `${what} stays on its node`).toBe(b.node);
      expect(restarts(p, 'main'), `${what}: restartCount of main, the changed container`).toBe(b.main + 1);
      expect(restarts(p, 'side'), `${what}: restartCount of side, unchanged`).toBe(b.side);
      expect(p.spec?.containers.find((c) => c.name === 'side')?.image, `${what}: side keeps its image`).toBe(IMAGE_V3);
      expect(p.status?.conditions?.find((c) => c.type === INPLACE_READY)?.status, `${what}: InPlaceUpdateReady after the update`).toBe('True');
      expect(p.metadata?.annotations?.[INPLACE_STATE_ANNOTATION], `${what}: ${INPLACE_STATE_ANNOTATION} records the update`).toBeTruthy();
    }
  });

  it('an env change recreates every pod (new UIDs) within maxUnavailable 2', async () => {
    const nodes = await requireNodes(2);
    const name = 'recreate';
    const { pods } = await createSettled(ns.name, name, nodes, { updateStrategy: strategy, image: IMAGE_V1 });
    const isNew = (p: V1Pod) => p.spec?.containers[0]?.env?.some((e) => e.name === 'FOO' && e.value === 'bar') ?? false;
    const started = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 2, maxSurge: 0 }, isNew);
    monitor = started.monitor;
    await jsonPatchDaemonSet(ns.name, name, [{ op: 'add', path: '/spec/template/spec/containers/0/env', value: [{ name: 'FOO', value: 'bar' }] }]);
    const after = await watched(monitor, waitDaemonPods(ns.name, name, onePerNode(nodes, (p) => isNew(p) && isPodReady(p)), 'every pod with env FOO=bar and Ready'));
    await watched(monitor, waitForDaemonSet(ns.name, name, daemonSetSettled(nodes.length), 'all nodes updated'));
    await monitor.stop();
    const old = uidsOf(pods);
    expect(after.filter((p) => old.has(p.metadata!.uid!)).map((p) => p.metadata?.name), `an env change is not done in place: no original pod is left; pods:\n${renderDaemonPods(after)}`).toEqual([]);
  });
});
