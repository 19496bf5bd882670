/**
 * Advanced StatefulSet scaling (spec §3.5, §3.1 scale subresource): OrderedReady creates one pod
 * at a time in ordinal order and deletes from the highest ordinal, halting while any pod is
 * unhealthy; Parallel creates and deletes at once, bounded by scaleStrategy.maxUnavailable;
 * failed pods are replaced; reserveOrdinals and ordinals.start move the ordinal range.
 * OpenKruise e2e: "Scaling should happen in predictable order and halt if any stateful pod is
 * unhealthy", "Burst scaling should run to completion even with unhealthy pods", "Should recreate
 * evicted statefulset", "should have a working scale subresource", "Should can update pods when
 * the statefulset scale strategy is set", reserveOrdinals=[0,2-5], "Scaling StatefulSetStartOrdinal".
 *
 * Pods carry HEALTH_GATE; a healer sets it True on every Running pod except those the test holds,
 * which is how a test makes a pod unhealthy.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { ASTS, type Obj, POD, patchObject, waitForAll } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { activePods, podsOf, renderPods, waitForStatefulSet } from '../lib/workloads.ts';
import {
  HEALTH_GATE,
  type Healer,
  type PodEvent,
  type PodRecorder,
  asts,
  createSet,
  deletePod,
  expectNothingFor,
  namesOf,
  patchPodStatus,
  recordPods,
  setPods,
  showPods,
  showSet,
  startHealer,
  updateSet,
  waitForPodNames,
  waitSettled,
} from './fixtures.ts';

const ns = useNamespace('asts-scale');
const ordinal = (name: string) => Number(/-(\d+)$/.exec(name)?.[1] ?? Number.NaN);
const running = (p: V1Pod) => p.status?.phase === 'Running';
const scaleTo = (name: string, replicas: number) => patchObject(ASTS, ns.name, name, { spec: { replicas } });
const podsWhere = (name: string, predicate: (items: V1Pod[]) => boolean, describe: string, timeoutMs: number) =>
  waitForAll<V1Pod & Obj>(POD, ns.name, podsOf(name), predicate as (items: (V1Pod & Obj)[]) => boolean, { timeoutMs, describe, namespace: ns.name, render: renderPods });
const readyReplicas = (name: string, n: number) => waitForStatefulSet(ns.name, name, (s) => s.status?.readyReplicas === n, `readyReplicas ${n}`, timeouts().statusSync);

let healer: Healer | undefined;
let recorder: PodRecorder | undefined;
afterEach(() => {
  healer?.stop();
  recorder?.stop();
  healer = recorder = undefined;
});

/** The index of the first event at which `name` was terminating or gone. */
const deletionStart = (events: readonly PodEvent[], name: string) => events.findIndex((e) => e.name === name && (e.terminating || e.type === 'DELETED'));
const gone = (events: readonly PodEvent[], name: string) => events.findIndex((e) => e.name === name && e.type === 'DELETED');

describeFeature('StatefulSet.OrderedScale', 'OrderedReady scales one pod at a time in ordinal order and halts on an unhealthy pod', () => {
  const name = 'ordered';

  it('creates ordered-1 only once ordered-0 is healthy and ordered-2 only once ordered-1 is', async () => {
    healer = await startHealer(ns.name, podsOf(name));
    await createSet(ns.name, asts(name, { replicas: 1, gates: [HEALTH_GATE] }));
    await waitSettled(ns.name, name, 1);
    healer.hold(`${name}-0`);
    healer.hold(`${name}-1`);
    await readyReplicas(name, 0);

    recorder = await recordPods(ns.name, podsOf(name));
    await scaleTo(name, 3);
    // Nothing may be created while ordered-0 is unhealthy: this wait must time out.
    await expectNothingFor(podsWhere(name, (items) => activePods(items).length > 1, 'a second pod', timeouts().steadyState), 'a pod was created while ordered-0 was unhealthy', (items) => renderPods(items));

    healer.release(`${name}-0`);
    await waitForPodNames(ns.name, name, [`${name}-0`, `${name}-1`], running, 'ordered-1 created once ordered-0 is healthy', timeouts().rolloutProgress);
    await expectNothingFor(podsWhere(name, (items) => activePods(items).length > 2, 'a third pod', timeouts().steadyState), 'ordered-2 was created while ordered-1 was unhealthy', (items) => renderPods(items));

    healer.release(`${name}-1`);
    await waitSettled(ns.name, name, 3);
    recorder.stop();
    const added = recorder.events.filter((e) => e.type === 'ADDED');
    expect(added.map((e) => e.name), `creation order; timeline:\n${recorder.timeline()}`).toEqual([`${name}-1`, `${name}-2`]);
    for (const e of added) {
      const lower = e.others.filter((o) => ordinal(o.name) < ordinal(e.name));
      expect(
        { predecessors: lower.length, allReady: lower.every((o) => o.ready && !o.terminating) },
        `when ${e.name} was created every lower ordinal existed and was Ready; timeline:\n${recorder.timeline()}`,
      ).toEqual({ predecessors: ordinal(e.name), allReady: true });
    }
  });

  it('deletes from the highest ordinal, one pod at a time, and not while any pod is unhealthy', async () => {
    healer = await startHealer(ns.name, podsOf(name));
    await waitSettled(ns.name, name, 3);
    for (const o of [0, 1, 2]) healer.hold(`${name}-${o}`);
    await readyReplicas(name, 0);

    recorder = await recordPods(ns.name, podsOf(name));
    await scaleTo(name, 0);
    await expectNothingFor(
      podsWhere(name, (items) => items.some((p) => p.metadata?.deletionTimestamp) || items.length < 3, 'a pod being deleted', timeouts().steadyState),
      'a pod was deleted while the pods were unhealthy',
      (items) => renderPods(items),
    );

    for (const o of [0, 1, 2]) healer.release(`${name}-${o}`);
    await podsWhere(name, (items) => items.length === 0, 'every pod gone', timeouts().rolloutComplete);
    recorder.stop();
    const events = recorder.events;
    const starts = [2, 1, 0].map((o) => ({ name: `${name}-${o}`, at: deletionStart(events, `${name}-${o}`) }));
    expect([...starts].sort((a, b) => a.at - b.at).map((s) => s.name), `deletion order; timeline:\n${recorder.timeline()}`).toEqual([`${name}-2`, `${name}-1`, `${name}-0`]);
    for (const o of [1, 0]) {
      expect(deletionStart(events, `${name}-${o}`), `${name}-${o} is deleted only after ${name}-${o + 1} is gone; timeline:\n${recorder.timeline()}`).toBeGreaterThan(gone(events, `${name}-${o + 1}`));
    }
    const s = await waitForStatefulSet(ns.name, name, (x) => x.status?.replicas === 0, 'status.replicas 0', timeouts().statusSync);
    expect(s.status, showSet(s)).toMatchObject({ replicas: 0, readyReplicas: 0 });
  });

  it('recreates a deleted lower ordinal while a higher one is unhealthy (no deadlock)', async () => {
    const pred = 'pred';
    healer = await startHealer(ns.name, podsOf(pred));
    await createSet(ns.name, asts(pred, { replicas: 2, gates: [HEALTH_GATE] }));
    await waitSettled(ns.name, pred, 2);
    healer.hold(`${pred}-1`);
    await readyReplicas(pred, 1);
    const [first] = await setPods(ns.name, pred);
    await deletePod(ns.name, `${pred}-0`);
    await waitForPodNames(ns.name, pred, [`${pred}-0`, `${pred}-1`], (p) => p.metadata?.name === `${pred}-1` || (p.metadata?.uid !== first!.metadata?.uid && isPodReady(p)), 'pred-0 recreated and Ready although pred-1 is unhealthy', timeouts().rolloutProgress);
    healer.release(`${pred}-1`);
    await waitSettled(ns.name, pred, 2);
  });

  it('deletes a pod that failed and creates it again under the same name', async () => {
    const failing = 'failing';
    await createSet(ns.name, asts(failing, { replicas: 1 }));
    await waitSettled(ns.name, failing, 1);
    const [before] = await waitForPodNames(ns.name, failing, [`${failing}-0`], isPodReady, 'Ready');
    await patchPodStatus(ns.name, `${failing}-0`, { phase: 'Failed' });
    const [after] = await waitForPodNames(ns.name, failing, [`${failing}-0`], (p) => p.metadata?.uid !== before!.metadata?.uid && isPodReady(p), 'a new failing-0 Ready in place of the failed one', timeouts().rolloutProgress);
    expect(after!.metadata?.uid).not.toBe(before!.metadata?.uid);
  });
});

describeFeature('StatefulSet.ParallelScale', 'Parallel creates and deletes pods at once', () => {
  it('creates and deletes every pod at once even while pods are unhealthy', async () => {
    const name = 'burst';
    healer = await startHealer(ns.name, podsOf(name));
    await createSet(ns.name, asts(name, { replicas: 1, podManagementPolicy: 'Parallel', gates: [HEALTH_GATE] }));
    await waitSettled(ns.name, name, 1);
    for (const o of [0, 1, 2]) healer.hold(`${name}-${o}`);
    await readyReplicas(name, 0);

    await scaleTo(name, 3);
    const pods = await waitForPodNames(ns.name, name, [`${name}-0`, `${name}-1`, `${name}-2`], running, 'burst-1 and burst-2 created although burst-0 is unhealthy', timeouts().rolloutProgress);
    expect(pods.filter(isPodReady).length, `no pod is Ready: they were created without waiting\n${showPods(pods)}`).toBe(0);

    await scaleTo(name, 0);
    await podsWhere(name, (items) => items.length === 0, 'every pod deleted although all are unhealthy', timeouts().rolloutProgress);
  });

  it('keeps at most scaleStrategy.maxUnavailable new pods unavailable while scaling out', async () => {
    const name = 'limited';
    healer = await startHealer(ns.name, podsOf(name));
    await createSet(ns.name, asts(name, { replicas: 1, podManagementPolicy: 'Parallel', scaleStrategy: { maxUnavailable: 2 }, gates: [HEALTH_GATE] }));
    await waitSettled(ns.name, name, 1);
    for (const o of [1, 2, 3, 4]) healer.hold(`${name}-${o}`);

    recorder = await recordPods(ns.name, podsOf(name));
    await scaleTo(name, 5);
    const first = await podsWhere(name, (items) => activePods(items).length === 3, 'two new pods', timeouts().rolloutProgress);
    await expectNothingFor(podsWhere(name, (items) => activePods(items).length > 3, 'a third new pod', timeouts().steadyState), 'a third new pod was created while two new pods were unavailable', (items) => renderPods(items));

    const fresh = namesOf(activePods(first)).filter((n) => n !== `${name}-0`);
    for (const n of fresh) healer.release(n);
    const second = await podsWhere(name, (items) => activePods(items).length === 5, 'the last two pods', timeouts().rolloutProgress);
    for (const n of namesOf(activePods(second))) healer.release(n);
    await waitSettled(ns.name, name, 5);
    recorder.stop();

    const worst = Math.max(...recorder.events.map((e) => [e, ...e.others].filter((p) => !p.terminating && !p.ready && !(e.type === 'DELETED' && p === e)).length));
    expect(worst, `never more than 2 unavailable pods while scaling out; timeline:\n${recorder.timeline()}`).toBeLessThanOrEqual(2);
    expect(namesOf(activePods(second)), 'ordinals 0..4').toEqual([0, 1, 2, 3, 4].map((o) => `${name}-${o}`));
  });
});

describeFeature('StatefulSet.ScaleSubresource', 'the scale subresource reads and writes replicas', () => {
  it('reports replicas and selector and scales the set when written', async () => {
    const name = 'scaled';
    const { custom } = kube();
    const at = { group: ASTS.group, version: ASTS.version, namespace: ns.name, plural: ASTS.plural, name };
    await createSet(ns.name, asts(name, { replicas: 1 }));
    await waitSettled(ns.name, name, 1);
    const scale = (await custom.getNamespacedCustomObjectScale(at)) as { spec?: { replicas?: number }; status?: { replicas?: number; selector?: string } };
    expect({ spec: scale.spec?.replicas, status: scale.status?.replicas, selector: scale.status?.selector }, JSON.stringify(scale)).toEqual({ spec: 1, status: 1, selector: `app=${name}` });

    const written = (await custom.replaceNamespacedCustomObjectScale({ ...at, body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace: ns.name }, spec: { replicas: 2 } } })) as { spec?: { replicas?: number } };
    expect(written.spec?.replicas, JSON.stringify(written)).toBe(2);
    const s = await waitSettled(ns.name, name, 2);
    expect(s.spec.replicas, showSet(s)).toBe(2);
    const after = (await custom.getNamespacedCustomObjectScale(at)) as { status?: { replicas?: number } };
    expect(after.status?.replicas, JSON.stringify(after)).toBe(2);
  });
});

describeFeature('StatefulSet.ReserveOrdinals', 'reserveOrdinals skips ordinals, as integers and ranges', () => {
  it('places replicas on the free ordinals and moves pods when the reservation changes', async () => {
    const name = 'reserved';
    const pods = (...ords: number[]) => ords.map((o) => `${name}-${o}`);
    await createSet(ns.name, asts(name, { replicas: 3, podManagementPolicy: 'Parallel', reserveOrdinals: [0, '2-5'] }));
    await waitForPodNames(ns.name, name, pods(1, 6, 7), isPodReady, 'reserve [0, 2-5]: ordinals 1, 6, 7');
    await waitSettled(ns.name, name, 3);

    await patchObject(ASTS, ns.name, name, { spec: { reserveOrdinals: [1] } });
    await waitForPodNames(ns.name, name, pods(0, 2, 3), isPodReady, 'reserve [1]: pod 1 and those beyond the range replaced by 0, 2, 3');
    await waitSettled(ns.name, name, 3);

    await patchObject(ASTS, ns.name, name, { spec: { replicas: 4, reserveOrdinals: [1, '3-4'] } });
    await waitForPodNames(ns.name, name, pods(0, 2, 5, 6), isPodReady, 'replicas 4, reserve [1, 3-4]: ordinals 0, 2, 5, 6');
    const s = await waitSettled(ns.name, name, 4);
    expect(s.status, showSet(s)).toMatchObject({ replicas: 4, readyReplicas: 4 });
  });
});

describeFeature('StatefulSet.StartOrdinal', 'ordinals.start shifts the ordinal range', () => {
  it('renames the range when ordinals.start is set, increased, decreased and removed', async () => {
    const name = 'start';
    const pods = (...ords: number[]) => ords.map((o) => `${name}-${o}`);
    await createSet(ns.name, asts(name, { replicas: 2, podManagementPolicy: 'Parallel' }));
    await waitForPodNames(ns.name, name, pods(0, 1), isPodReady, 'no ordinals: 0, 1');

    await updateSet(ns.name, name, (s) => {
      s.spec.ordinals = { start: 2 };
      s.spec.replicas = 3;
    });
    await waitForPodNames(ns.name, name, pods(2, 3, 4), isPodReady, 'start 2, replicas 3: 2, 3, 4');
    await updateSet(ns.name, name, (s) => (s.spec.ordinals = { start: 4 }));
    await waitForPodNames(ns.name, name, pods(4, 5, 6), isPodReady, 'start 4: 4, 5, 6');
    await updateSet(ns.name, name, (s) => (s.spec.ordinals = { start: 3 }));
    await waitForPodNames(ns.name, name, pods(3, 4, 5), isPodReady, 'start 3: 3, 4, 5');
    await updateSet(ns.name, name, (s) => delete s.spec.ordinals);
    await waitForPodNames(ns.name, name, pods(0, 1, 2), isPodReady, 'ordinals removed: 0, 1, 2');
    const s = await waitSettled(ns.name, name, 3);
    expect(s.status, showSet(s)).toMatchObject({ replicas: 3, readyReplicas: 3 });
  });
});
