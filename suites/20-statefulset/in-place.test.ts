/**
 * Advanced StatefulSet in-place update (spec §1.3, §3.3 rule 6, §3.6, §13.8): with
 * podUpdatePolicy InPlaceIfPossible (and the user-supplied InPlaceUpdateReady readiness gate) an
 * image or template-metadata change keeps the pod: same UID, node and IP; the controller turns
 * InPlaceUpdateReady False before the change and True after it; gracePeriodSeconds delays the
 * image change; any other spec change, and a QoS class change, recreates the pod. OpenKruise
 * e2e: "should in-place update pods when the pod update strategy is InPlace", "should recreate
 * update when pod qos changed". (Env-from-metadata restarts need kruise-daemon: out of scope.)
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { type InvariantMonitor, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, imageOf, podsOf } from '../lib/workloads.ts';
import {
  INPLACE_READY,
  INPLACE_STATE,
  type PodRecorder,
  asts,
  conditionOf,
  createSet,
  inPlace,
  mainContainer,
  orderReached,
  recordPods,
  restartsOf,
  revisionOf,
  setPods,
  showPods,
  showSet,
  updateSet,
  waitSettled,
} from './fixtures.ts';

const ns = useNamespace('asts-inplace');

let monitor: InvariantMonitor | undefined;
let recorder: PodRecorder | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  recorder?.stop();
  monitor = recorder = undefined;
});

const identity = (pods: V1Pod[]) => pods.map((p) => ({ name: p.metadata?.name, uid: p.metadata?.uid, node: p.spec?.nodeName, ip: p.status?.podIP }));
const watched = <T>(m: InvariantMonitor, step: Promise<T>): Promise<T> => Promise.race([step, m.breached]);

describeFeature('StatefulSet.InPlaceUpdate', 'InPlaceIfPossible updates images and metadata in place', () => {
  const name = 'inplace';

  it('updates the image in place from the highest ordinal: same UID, node and IP, one restart, InPlaceUpdateReady False then True', async () => {
    await createSet(ns.name, asts(name, { replicas: 3, gates: [INPLACE_READY], updateStrategy: inPlace() }));
    await waitSettled(ns.name, name, 3);
    const before = await setPods(ns.name, name);
    for (const p of before) expect(conditionOf(p, INPLACE_READY), `${p.metadata?.name}: the controller sets InPlaceUpdateReady True on new pods\n${showPods(before)}`).toBe('True');

    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 3, minAvailable: 2, keepOriginalPods: true }, isUpdated: (p) => imageOf(p) === IMAGE_V2 });
    recorder = await recordPods(ns.name, podsOf(name));
    await updateSet(ns.name, name, (s) => (mainContainer(s).image = IMAGE_V2));
    const done = await watched(monitor, waitSettled(ns.name, name, 3, 'every pod at the new image, in place'));
    await monitor.stop();
    recorder.stop();

    const after = await setPods(ns.name, name);
    expect(identity(after), `pods kept their identity\n${showPods(after)}`).toEqual(identity(before));
    for (const p of after) {
      const pod = p.metadata!.name!;
      expect({ image: imageOf(p), restarts: restartsOf(p), revision: revisionOf(p), ready: conditionOf(p, INPLACE_READY) }, `${pod} after the in-place update`).toEqual({
        image: IMAGE_V2,
        restarts: 1,
        revision: done.status!.updateRevision,
        ready: 'True',
      });
      const state = JSON.parse(p.metadata?.annotations?.[INPLACE_STATE] ?? '{}') as { revision?: string };
      expect(state.revision, `${pod}: annotation ${INPLACE_STATE} records the revision it was updated to`).toBe(done.status!.updateRevision);
      const wentFalse = recorder.events.some((e) => e.name === pod && conditionOf(e.pod, INPLACE_READY) === 'False');
      expect(wentFalse, `${pod}: InPlaceUpdateReady was False during its update; timeline:\n${recorder.timeline()}`).toBe(true);
    }
    expect(orderReached(recorder, (e) => e.image === IMAGE_V2), `update order; timeline:\n${recorder.timeline()}`).toEqual([`${name}-2`, `${name}-1`, `${name}-0`]);
  });

  it('applies a template label change in place without restarting containers', async () => {
    const before = await setPods(ns.name, name);
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 3, minAvailable: 2, keepOriginalPods: true }, isUpdated: (p) => p.metadata?.labels?.tier === 'gold' });
    await updateSet(ns.name, name, (s) => (s.spec.template.metadata!.labels = { ...s.spec.template.metadata!.labels, tier: 'gold' }));
    const done = await watched(monitor, waitSettled(ns.name, name, 3, 'every pod labelled tier=gold'));
    await monitor.stop();
    const after = await setPods(ns.name, name);
    expect(identity(after), showPods(after)).toEqual(identity(before));
    for (const p of after) {
      expect({ tier: p.metadata?.labels?.tier, revision: revisionOf(p), restarts: restartsOf(p) }, `${p.metadata?.name}: label applied in place, no restart`).toEqual({
        tier: 'gold',
        revision: done.status!.updateRevision,
        restarts: restartsOf(before.find((b) => b.metadata?.name === p.metadata?.name)!),
      });
    }
  });

  it('waits inPlaceUpdateStrategy.gracePeriodSeconds between marking a pod for update and changing its image', async () => {
    const grace = 'grace';
    await createSet(ns.name, asts(grace, { replicas: 1, gates: [INPLACE_READY], updateStrategy: inPlace({ inPlaceUpdateStrategy: { gracePeriodSeconds: 3 } }) }));
    const initial = await waitSettled(ns.name, grace, 1);
    const [before] = await setPods(ns.name, grace);
    recorder = await recordPods(ns.name, podsOf(grace));
    await updateSet(ns.name, grace, (s) => (mainContainer(s).image = IMAGE_V2));
    const done = await waitSettled(ns.name, grace, 1, 'the pod at the new image');
    recorder.stop();
    const marked = recorder.events.find((e) => e.revision && e.revision !== initial.status!.updateRevision);
    const changed = recorder.events.find((e) => e.image === IMAGE_V2);
    expect(marked && changed, `the pod got the new revision label and later the new image; timeline:\n${recorder.timeline()}`).toBeTruthy();
    // The grace is measured from an updateTimestamp of second precision: 3 s shows as at least 2 s.
    expect(changed!.atMs - marked!.atMs, `ms between the revision label and the image change (grace 3 s); timeline:\n${recorder.timeline()}`).toBeGreaterThanOrEqual(2000);
    const [after] = await setPods(ns.name, grace);
    expect({ uid: after!.metadata?.uid, revision: revisionOf(after!) }).toEqual({ uid: before!.metadata?.uid, revision: done.status!.updateRevision });
  });
});

describeFeature('StatefulSet.InPlaceUpdate', 'InPlaceIfPossible falls back to recreating pods', () => {
  const name = 'fallback';
  const recreated = async (change: Parameters<typeof updateSet>[2], describe: string) => {
    const before = await setPods(ns.name, name);
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 2, minAvailable: 1 }, isUpdated: () => false });
    await updateSet(ns.name, name, change);
    await watched(monitor, waitSettled(ns.name, name, 2, describe));
    await monitor.stop();
    const after = await setPods(ns.name, name);
    const kept = after.filter((p) => before.some((b) => b.metadata?.uid === p.metadata?.uid));
    expect(kept.map((p) => p.metadata?.name), `${describe}: every pod recreated (new UID)\nbefore:\n${showPods(before)}\nafter:\n${showPods(after)}`).toEqual([]);
    for (const p of after) expect(restartsOf(p), `${p.metadata?.name}: a fresh container`).toBe(0);
    return after;
  };

  it('recreates pods when a container field other than the image changes', async () => {
    await createSet(ns.name, asts(name, { replicas: 2, gates: [INPLACE_READY], updateStrategy: inPlace() }));
    await waitSettled(ns.name, name, 2);
    const after = await recreated((s) => (mainContainer(s).env = [{ name: 'MODE', value: 'blue' }]), 'env added');
    for (const p of after) expect(p.spec?.containers[0]?.env, showPods(after)).toEqual([{ name: 'MODE', value: 'blue' }]);
  });

  it('recreates pods when the new resources change the QoS class', async () => {
    const guaranteed = { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
    const after = await recreated((s) => (mainContainer(s).resources = guaranteed), 'resources requests = limits (Burstable -> Guaranteed)');
    for (const p of after) expect({ qos: p.status?.qosClass, image: imageOf(p) }, showPods(after)).toEqual({ qos: 'Guaranteed', image: IMAGE_V1 });
    const s = await waitSettled(ns.name, name, 2);
    expect(s.status?.updatedReplicas, showSet(s)).toBe(2);
  });
});
