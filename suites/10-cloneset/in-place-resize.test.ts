/**
 * In-place vertical scaling (gate InPlaceWorkloadVerticalScaling; spec digest §1.3 "Can it be in
 * place?" and step 1 of "Executing", §2.12; OpenKruise e2e inplace_vpa.go "in-place update image
 * and resource", cloneset.go "change resource and qos -> succeed to recreate"): a cpu/memory value
 * change that keeps the QoS class resizes the running pods (same UID, no restart, container status
 * resources follow, and without a RestartContainer resize policy the pod stays Ready); together
 * with an image change the container restarts once; a change of QoS class recreates the pods.
 */
import type { V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { type InvariantMonitor, isPodReady, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kindCgroupReader } from '../../harness/kube/node-cgroups.ts';
import { kube, runEnv, timeouts } from '../lib/context.ts';
import { IMAGE_V2, cloneSetSettled, imageOf, podsOf, waitForCloneSet } from '../lib/workloads.ts';
import { cloneSetWith, describePods, jsonPatchCloneSet, mainStatus, recordPods, revisionOf, setResources, settledPods, uidsOf, waitPods, watched } from './fixtures.ts';

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

// The builder's container is Burstable: requests 100m/64Mi, limits 200m/128Mi.
const BIGGER: V1ResourceRequirements = { requests: { cpu: '150m', memory: '96Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
const GUARANTEED: V1ResourceRequirements = { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '200m', memory: '128Mi' } };

const resourcesFollow = (want: V1ResourceRequirements) => (p: V1Pod) =>
  isPodReady(p) && isDeepStrictEqual(p.spec?.containers[0]?.resources, want) && isDeepStrictEqual(mainStatus(p)?.resources, want);

describeFeature('CloneSet.InPlaceResize', 'in-place cpu/memory changes', () => {
  const ns = useNamespace('cs-resize');

  async function settle(name: string, replicas: number) {
    await createObject(CLONESET, ns.name, cloneSetWith(name, { replicas, updateStrategy: { type: 'InPlaceIfPossible' } }));
    const cs = await waitForCloneSet(ns.name, name, cloneSetSettled(replicas), `${replicas} pods Ready`, timeouts().podsReady);
    const pods = await waitPods(ns.name, name, settledPods(replicas, isPodReady), `${replicas} Ready pods`);
    return { cs, pods };
  }

  it('same QoS class: pods are resized in place, without a restart and without going unready', async () => {
    const { cs, pods } = await settle('vpa', 2);
    // On a kind cluster the kernel's own limits are read too (through the node container): the
    // kubelet's report in status.resources must be backed by the container's cgroup.
    const cgroups = kindCgroupReader(runEnv().kubeconfig);
    const cgroupsBefore = cgroups ? await Promise.all(pods.map((p) => cgroups(p, 'main'))) : [];
    const restarts = new Map(pods.map((p) => [p.metadata!.uid!, mainStatus(p)?.restartCount ?? 0]));
    const recorder = await recordPods(ns.name, 'vpa');
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf('vpa'), bounds: { maxPods: 2, keepOriginalPods: true }, isUpdated: resourcesFollow(BIGGER) });
    await setResources(ns.name, 'vpa', BIGGER);
    const done = await watched(monitor, waitForCloneSet(ns.name, 'vpa', (c) => cloneSetSettled(2)(c) && c.status?.updateRevision !== cs.status?.updateRevision, 'both pods at the new revision and Ready'));
    const after = await watched(monitor, waitPods(ns.name, 'vpa', settledPods(2, resourcesFollow(BIGGER)), 'spec and status resources of both pods equal the new values', timeouts().inPlaceResize));
    await monitor.stop();
    recorder.stop();
    expect([...uidsOf(after)].sort(), `the same pods, resized:\n${describePods(after)}`).toEqual([...restarts.keys()].sort());
    for (const p of after) {
      expect(mainStatus(p)?.restartCount, `restartCount of ${p.metadata?.name}`).toBe(restarts.get(p.metadata!.uid!));
      expect(revisionOf(p), `revision label of ${p.metadata?.name}`).toBe(done.status?.updateRevision);
      const unready = recorder.of(p.metadata!.uid!).filter((r) => !isPodReady(r.pod));
      expect(unready.map((r) => r.phase), `${p.metadata?.name} stayed Ready throughout (no RestartContainer resize policy)`).toEqual([]);
    }
    if (cgroups) {
      // 200m -> 300m limit is a CFS quota of 20000 -> 30000 per 100000; 100m -> 150m requests are 102 -> 153 shares.
      expect(cgroupsBefore.map((c) => [c.cpuQuota, c.cpuShares, c.memoryLimit]), 'cgroups before the resize').toEqual(pods.map(() => [20000, 102, 128 * 2 ** 20]));
      const now = await Promise.all(after.map((p) => cgroups(p, 'main')));
      expect(now.map((c) => [c.cpuQuota, c.cpuShares, c.memoryLimit]), 'the containers\' cgroups after the resize').toEqual(after.map(() => [30000, 153, 128 * 2 ** 20]));
    }
  });

  it('image and resources together: in place, one restart, resources follow', async () => {
    const { cs, pods } = await settle('both', 1);
    const before = pods[0]!;
    await jsonPatchCloneSet(ns.name, 'both', [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: IMAGE_V2 },
      { op: 'replace', path: '/spec/template/spec/containers/0/resources', value: BIGGER },
    ]);
    await waitForCloneSet(ns.name, 'both', (c) => cloneSetSettled(1)(c) && c.status?.updateRevision !== cs.status?.updateRevision, 'the pod at the new revision and Ready');
    const [after] = await waitPods(ns.name, 'both', settledPods(1, (p) => resourcesFollow(BIGGER)(p) && mainStatus(p)?.image === IMAGE_V2), 'new image and resources in spec and status', timeouts().inPlaceResize);
    expect(
      { uid: after!.metadata?.uid, image: imageOf(after!), restarts: mainStatus(after)?.restartCount },
      `the same pod, restarted once for the image:\n${describePods([after!])}`,
    ).toEqual({ uid: before.metadata?.uid, image: IMAGE_V2, restarts: (mainStatus(before)?.restartCount ?? 0) + 1 });
  });

  it('a change of QoS class (Burstable -> Guaranteed) recreates the pods', async () => {
    const { cs, pods } = await settle('qos', 2);
    await setResources(ns.name, 'qos', GUARANTEED);
    await waitForCloneSet(ns.name, 'qos', (c) => cloneSetSettled(2)(c) && c.status?.updateRevision !== cs.status?.updateRevision, 'both pods at the new revision and Ready');
    const after = await waitPods(ns.name, 'qos', settledPods(2, (p) => isPodReady(p) && isDeepStrictEqual(p.spec?.containers[0]?.resources, GUARANTEED)), 'both pods Guaranteed and Ready');
    expect([...uidsOf(after)].filter((u) => uidsOf(pods).has(u)), `no original pod survives a QoS change:\n${describePods(after)}`).toEqual([]);
    expect(after.map((p) => p.status?.qosClass), 'QoS class of the new pods').toEqual(['Guaranteed', 'Guaranteed']);
  });
});
