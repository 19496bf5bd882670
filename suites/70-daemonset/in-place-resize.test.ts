/**
 * In-place vertical scaling of Advanced DaemonSets (gate InPlaceWorkloadVerticalScaling; OpenKruise
 * e2e inplace_vpa.go "Basic DaemonSet functionality ... should upgrade resources and image one by
 * one" [Conformance]): with InPlaceIfPossible, a change of image and cpu/memory values that keeps
 * the QoS class is done in place: same pods, the container restarted once (for the image), spec
 * and status resources at the new values.
 */
import type { V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { isPodReady, type InvariantMonitor } from '../../harness/kube/invariants.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { IMAGE_V2 } from '../lib/workloads.ts';
import {
  createSettled,
  daemonSetSettled,
  jsonPatchDaemonSet,
  mainStatus,
  onePerNode,
  renderDaemonPods,
  requireNodes,
  rollingUpdate,
  startNodeMonitor,
  uidsOf,
  waitDaemonPods,
  waitForDaemonSet,
  watched,
} from './fixtures.ts';

// The builder's container is Burstable (requests 100m/64Mi, limits 200m/128Mi); this one too.
const BIGGER: V1ResourceRequirements = { requests: { cpu: '150m', memory: '96Mi' }, limits: { cpu: '300m', memory: '128Mi' } };

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

describeFeature('DaemonSet.InPlaceResize', 'in-place image and resource update', () => {
  const ns = useNamespace('ads-resize');

  it('image and cpu/memory changed together, maxUnavailable 1: the same pods, main restarted once, spec and status resources at the new values', async () => {
    const nodes = await requireNodes(2);
    const name = 'vpa';
    const { ds, pods } = await createSettled(ns.name, name, nodes, { updateStrategy: rollingUpdate({ rollingUpdateType: 'InPlaceIfPossible', maxUnavailable: 1 }) });
    const restarts = new Map(pods.map((p) => [p.metadata!.uid!, mainStatus(p)?.restartCount ?? 0]));
    const done = (p: V1Pod) =>
      isPodReady(p) && p.spec?.containers[0]?.image === IMAGE_V2 && mainStatus(p)?.image === IMAGE_V2 && isDeepStrictEqual(p.spec?.containers[0]?.resources, BIGGER) && isDeepStrictEqual(mainStatus(p)?.resources, BIGGER);
    const started = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 1, maxSurge: 0, keepOriginalPods: true }, (p) => p.spec?.containers[0]?.image === IMAGE_V2);
    monitor = started.monitor;
    await jsonPatchDaemonSet(ns.name, name, [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: IMAGE_V2 },
      { op: 'replace', path: '/spec/template/spec/containers/0/resources', value: BIGGER },
    ]);
    const after = await watched(monitor, waitDaemonPods(ns.name, name, onePerNode(nodes, done), `every pod at ${IMAGE_V2} with resources ${JSON.stringify(BIGGER)} in spec and status, Ready`, timeouts().rolloutComplete + timeouts().inPlaceResize));
    await watched(monitor, waitForDaemonSet(ns.name, name, (d) => daemonSetSettled(nodes.length)(d) && d.status?.daemonSetHash !== ds.status?.daemonSetHash, 'all nodes updated'));
    await monitor.stop();
    expect([...uidsOf(after)].sort(), `the same pods; pods:\n${renderDaemonPods(after)}`).toEqual([...restarts.keys()].sort());
    for (const p of after) expect(mainStatus(p)?.restartCount, `restartCount of main in ${p.metadata?.name} (the image changed)`).toBe(restarts.get(p.metadata!.uid!)! + 1);
  });
});
