/**
 * Advanced StatefulSet rolling updates (spec §3.6, §1.5, §13.6, §13.14, Appendix A.4): partition
 * counts the pods left at the current revision, pods update from the highest ordinal down,
 * maxUnavailable (percent rounded down, at least 1) bounds unavailable pods under Parallel,
 * OnDelete updates only deleted pods, paused stops the update but not scaling, specified-delete
 * replaces a pod at the revision its ordinal should have, and currentRevision takes the update
 * revision only when updated == ready == replicas. OpenKruise e2e: "should perform rolling
 * updates and roll backs of template modifications", "should perform canary updates and phased
 * rolling updates", "should implement legacy replacement when the update strategy is OnDelete",
 * "should perform rolling updates with specified-deleted".
 *
 * Rollouts run under an invariant monitor: never more pods than replicas, never fewer available
 * than replicas - maxUnavailable, never more updated than replicas - partition.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { type Bounds, type InvariantMonitor, isPodReady, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { ASTS, type Obj, POD, patchObject, waitForAll } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import type { AdvancedStatefulSet } from '../lib/kinds.ts';
import { IMAGE_V1, IMAGE_V2, IMAGE_V3, imageOf, podsOf, renderPods, waitForStatefulSet } from '../lib/workloads.ts';
import {
  HEALTH_GATE,
  type Healer,
  type PodRecorder,
  SPECIFIED_DELETE,
  asts,
  createSet,
  deletePod,
  expectNothingFor,
  guardStatus,
  labelPod,
  mainContainer,
  orderReached,
  partitionOf,
  recordPods,
  revisionOf,
  rolling,
  setPods,
  showPods,
  showSet,
  startHealer,
  updateSet,
  waitForPodNames,
  waitSettled,
} from './fixtures.ts';

const ns = useNamespace('asts-roll');

let monitor: InvariantMonitor | undefined;
let recorder: PodRecorder | undefined;
let healer: Healer | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  recorder?.stop();
  healer?.stop();
  monitor = recorder = healer = undefined;
});

async function watch(name: string, bounds: Bounds, isUpdated: (p: V1Pod) => boolean): Promise<InvariantMonitor> {
  monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf(name), bounds, isUpdated });
  return monitor;
}
/** Run a wait while the monitor watches; the first breach fails the test at once. */
const watched = <T>(m: InvariantMonitor, step: Promise<T>): Promise<T> => Promise.race([step, m.breached]);

const withImage = (image: string) => (p: V1Pod) => imageOf(p) === image;
const setImage = (name: string, image: string, more: (s: AdvancedStatefulSet) => void = () => {}) =>
  updateSet(ns.name, name, (s) => {
    mainContainer(s).image = image;
    more(s);
  });
const anyPodTouched = (name: string, image: string) =>
  waitForAll<V1Pod & Obj>(POD, ns.name, podsOf(name), (items) => items.some((p) => imageOf(p) === image || !!p.metadata?.deletionTimestamp), {
    timeoutMs: timeouts().steadyState,
    describe: `a pod of ${name} updated or deleted`,
    namespace: ns.name,
    render: renderPods,
  });
/** The per-ordinal view the assertions compare: [name, image, revision]. */
const layout = (pods: V1Pod[]) => pods.map((p) => [p.metadata!.name!, imageOf(p), revisionOf(p)]);

describeFeature(['StatefulSet.Partition', 'StatefulSet.Status'], 'partition, update order and rollback', () => {
  const name = 'roll';

  it('holds every pod with partition = replicas, updates from the highest ordinal as the partition falls, restores deleted pods at their revision and rolls back to the prior revision', async () => {
    await createSet(ns.name, asts(name, { replicas: 3, updateStrategy: rolling({ partition: 0 }) }));
    const initial = await waitSettled(ns.name, name, 3);
    const rev1 = initial.status!.updateRevision!;
    expect(layout(await setPods(ns.name, name)), 'every pod starts at the first revision').toEqual([0, 1, 2].map((o) => [`${name}-${o}`, IMAGE_V1, rev1]));

    // partition 3 of 3: a new revision, no pod touched.
    await setImage(name, IMAGE_V2, (s) => partitionOf(s, 3));
    const held = await waitForStatefulSet(ns.name, name, (s) => !!s.status?.updateRevision && s.status.updateRevision !== rev1, 'a new updateRevision', timeouts().statusSync);
    const rev2 = held.status!.updateRevision!;
    await expectNothingFor(anyPodTouched(name, IMAGE_V2), 'partition 3 of 3 must leave every pod alone', (items) => renderPods(items));
    const still = await waitForStatefulSet(ns.name, name, (s) => s.status?.updateRevision === rev2, 'status at partition 3', timeouts().statusSync);
    expect(still.status, showSet(still)).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 0, currentRevision: rev1, updateRevision: rev2 });

    // partition 2: only the highest ordinal (canary).
    let m = await watch(name, { maxPods: 3, minAvailable: 2, maxUpdated: 1 }, withImage(IMAGE_V2));
    await updateSet(ns.name, name, (s) => partitionOf(s, 2));
    const canary = await watched(m, waitForStatefulSet(ns.name, name, (s) => s.status?.updatedReplicas === 1 && s.status.readyReplicas === 3 && s.status.updatedReadyReplicas === 1, 'partition 2: one pod updated, all Ready'));
    await m.stop();
    expect(layout(await setPods(ns.name, name)), 'partition 2: roll-2 updated, roll-0 and roll-1 at the current revision').toEqual([
      [`${name}-0`, IMAGE_V1, rev1],
      [`${name}-1`, IMAGE_V1, rev1],
      [`${name}-2`, IMAGE_V2, rev2],
    ]);
    expect(canary.status, showSet(canary)).toMatchObject({ currentRevision: rev1, updateRevision: rev2, currentReplicas: 2 });

    // Deleted pods come back at the revision their ordinal should have.
    const uids = new Map((await setPods(ns.name, name)).map((p) => [p.metadata!.name!, p.metadata!.uid!]));
    await deletePod(ns.name, `${name}-0`);
    await deletePod(ns.name, `${name}-2`);
    const restored = await waitForPodNames(ns.name, name, [0, 1, 2].map((o) => `${name}-${o}`), (p) => isPodReady(p) && (p.metadata?.name === `${name}-1` || p.metadata?.uid !== uids.get(p.metadata!.name!)), 'roll-0 and roll-2 recreated and Ready');
    expect(layout(restored), 'recreated below the partition at the current revision, above it at the update revision').toEqual([
      [`${name}-0`, IMAGE_V1, rev1],
      [`${name}-1`, IMAGE_V1, rev1],
      [`${name}-2`, IMAGE_V2, rev2],
    ]);

    // partition 0: the rest, highest ordinal first, one at a time.
    m = await watch(name, { maxPods: 3, minAvailable: 2 }, withImage(IMAGE_V2));
    recorder = await recordPods(ns.name, podsOf(name));
    await updateSet(ns.name, name, (s) => partitionOf(s, 0));
    const done = await watched(m, waitSettled(ns.name, name, 3, 'partition 0: every pod updated and Ready'));
    await m.stop();
    recorder.stop();
    expect(orderReached(recorder, (e) => e.image === IMAGE_V2 && e.name !== `${name}-2`), `update order; timeline:\n${recorder.timeline()}`).toEqual([`${name}-1`, `${name}-0`]);
    expect(done.status, showSet(done)).toMatchObject({ currentRevision: rev2, updateRevision: rev2, currentReplicas: 3, updatedReplicas: 3, updatedAvailableReplicas: 3 });

    // Rolling back to the first template reuses the first revision.
    m = await watch(name, { maxPods: 3, minAvailable: 2 }, withImage(IMAGE_V1));
    recorder = await recordPods(ns.name, podsOf(name));
    await setImage(name, IMAGE_V1);
    const back = await watched(m, waitSettled(ns.name, name, 3, 'rolled back: every pod at the first template'));
    await m.stop();
    recorder.stop();
    expect({ currentRevision: back.status?.currentRevision, updateRevision: back.status?.updateRevision }, `a rollback to identical template data reuses revision ${rev1}\n${showSet(back)}`).toEqual({ currentRevision: rev1, updateRevision: rev1 });
    expect(orderReached(recorder, (e) => e.image === IMAGE_V1), `rollback order; timeline:\n${recorder.timeline()}`).toEqual([`${name}-2`, `${name}-1`, `${name}-0`]);
    expect(layout(await setPods(ns.name, name))).toEqual([0, 1, 2].map((o) => [`${name}-${o}`, IMAGE_V1, rev1]));
  });

  it('moves currentRevision to the update revision only once every pod is updated and Ready', async () => {
    const flip = 'flip';
    healer = await startHealer(ns.name, podsOf(flip));
    await createSet(ns.name, asts(flip, { replicas: 2, gates: [HEALTH_GATE] }));
    const initial = await waitSettled(ns.name, flip, 2);
    const rev1 = initial.status!.currentRevision!;
    // flip-0 is updated last; keep its new incarnation unhealthy.
    healer.hold(`${flip}-0`, { nextOnly: true });
    // Until flip-0's replacement is released, no status may name the update revision as current:
    // checked on every status, since a flip that is later undone is still a wrong status.
    const guard = guardStatus(ns.name, flip, 'currentRevision stays at the old revision while flip-0 is not updated and Ready', (s) =>
      s.status?.updateRevision !== undefined && s.status.updateRevision !== rev1 && s.status.currentRevision === s.status.updateRevision
        ? `currentRevision ${s.status.currentRevision} == updateRevision`
        : undefined,
    );
    try {
      await guard.watching;
      await setImage(flip, IMAGE_V2);
      const allUpdated = await waitForStatefulSet(ns.name, flip, (s) => s.status?.updatedReplicas === 2 && s.status.readyReplicas === 1, 'both pods updated, flip-0 not Ready', timeouts().rolloutComplete);
      expect(allUpdated.status?.currentRevision, `updated 2 == replicas but ready 1: currentRevision stays\n${showSet(allUpdated)}`).toBe(rev1);
      await expectNothingFor(
        waitForStatefulSet(ns.name, flip, (s) => s.status?.currentRevision === s.status?.updateRevision, 'currentRevision == updateRevision', timeouts().steadyState),
        'currentRevision moved while a pod was not Ready',
        showSet,
      );
    } finally {
      await guard.stop();
    }
    healer.release(`${flip}-0`);
    const done = await waitSettled(ns.name, flip, 2);
    expect(done.status?.currentRevision, showSet(done)).not.toBe(rev1);
  });

  it('counts a pod available only minReadySeconds after it became Ready', async () => {
    const slow = 'slow';
    let readyNotAvailableAt: number | undefined;
    await createSet(ns.name, asts(slow, { replicas: 1, updateStrategy: rolling({ minReadySeconds: 3 }) }));
    const s = await waitForStatefulSet(
      ns.name,
      slow,
      (x) => {
        if (x.status?.readyReplicas === 1 && x.status.availableReplicas === 0) readyNotAvailableAt ??= Date.now();
        return x.status?.availableReplicas === 1;
      },
      'availableReplicas 1',
      timeouts().rolloutProgress,
    );
    const availableAt = Date.now();
    expect(readyNotAvailableAt, `status showed readyReplicas 1 with availableReplicas 0 first\n${showSet(s)}`).toBeDefined();
    // Measured from the pod's Ready transition, not from when this watch saw the set Ready: under
    // load a controller can write readyReplicas late, close to its availableReplicas write. The
    // kubelet stamps whole seconds (never later than the transition), so a correct controller
    // shows at least 3 s here; 2.5 s leaves room for clock jitter between node and harness.
    const pod = await kube().core.readNamespacedPod({ namespace: ns.name, name: `${slow}-0` });
    const readySince = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
    expect(readySince, `pod ${slow}-0 has a Ready=True condition with its transition time\n${JSON.stringify(pod.status?.conditions)}`).toBeDefined();
    expect(availableAt - new Date(readySince!).getTime(), `ms from pod ${slow}-0 Ready (${new Date(readySince!).toISOString()}) to the set counting it available (minReadySeconds 3)`).toBeGreaterThanOrEqual(2500);
  });
});

describeFeature('StatefulSet.MaxUnavailable', 'maxUnavailable bounds the rolling update (percent rounded down; above 1 only with Parallel)', () => {
  const name = 'wide';

  it('does not start while a pod is unhealthy (it counts against maxUnavailable 1) and resumes from the highest ordinal', async () => {
    const blocked = 'blocked';
    healer = await startHealer(ns.name, podsOf(blocked));
    await createSet(ns.name, asts(blocked, { replicas: 3, gates: [HEALTH_GATE] }));
    await waitSettled(ns.name, blocked, 3);
    healer.hold(`${blocked}-1`);
    await waitForStatefulSet(ns.name, blocked, (s) => s.status?.readyReplicas === 2, 'blocked-1 unhealthy: readyReplicas 2', timeouts().statusSync);
    await setImage(blocked, IMAGE_V2);
    await expectNothingFor(anyPodTouched(blocked, IMAGE_V2), 'a pod was updated while blocked-1 was unhealthy', (items) => renderPods(items));
    recorder = await recordPods(ns.name, podsOf(blocked));
    healer.release(`${blocked}-1`);
    await waitSettled(ns.name, blocked, 3, 'rollout finished once blocked-1 is healthy');
    recorder.stop();
    expect(orderReached(recorder, (e) => e.image === IMAGE_V2), `update order; timeline:\n${recorder.timeline()}`).toEqual([`${blocked}-2`, `${blocked}-1`, `${blocked}-0`]);
  });

  it('rounds a percent down: 40% of 4 pods allows one unavailable pod', async () => {
    await createSet(ns.name, asts(name, { replicas: 4, podManagementPolicy: 'Parallel', updateStrategy: rolling({ maxUnavailable: '40%' }) }));
    await waitSettled(ns.name, name, 4);
    const m = await watch(name, { maxPods: 4, minAvailable: 3 }, withImage(IMAGE_V2));
    await setImage(name, IMAGE_V2);
    await watched(m, waitSettled(ns.name, name, 4, 'every pod at the new image'));
    const peaks = await m.stop();
    expect(peaks.minAvailable, `floor(40% x 4) = 1; timeline:\n${m.timeline()}`).toBe(3);
  });

  it('replaces two pods at a time with maxUnavailable 2, never more', async () => {
    const m = await watch(name, { maxPods: 4, minAvailable: 2 }, withImage(IMAGE_V3));
    await setImage(name, IMAGE_V3, (s) => (s.spec.updateStrategy = rolling({ ...s.spec.updateStrategy?.rollingUpdate, maxUnavailable: 2 })));
    await watched(m, waitSettled(ns.name, name, 4, 'every pod at the third image'));
    const peaks = await m.stop();
    // The update loop takes candidates until the unavailable count reaches maxUnavailable (spec
    // §3.6), so the first pass replaces two pods together.
    expect(peaks.minAvailable, `two pods were unavailable together; timeline:\n${m.timeline()}`).toBe(2);
  });
});

describeFeature('StatefulSet.OnDelete', 'OnDelete updates a pod only when it is deleted', () => {
  it('leaves pods at the old template until each is deleted, then recreates it from the update revision', async () => {
    const name = 'manual';
    await createSet(ns.name, asts(name, { replicas: 3, updateStrategy: { type: 'OnDelete' } }));
    const initial = await waitSettled(ns.name, name, 3);
    const rev1 = initial.status!.updateRevision!;
    await setImage(name, IMAGE_V2);
    const pending = await waitForStatefulSet(ns.name, name, (s) => !!s.status?.updateRevision && s.status.updateRevision !== rev1, 'a new updateRevision', timeouts().statusSync);
    const rev2 = pending.status!.updateRevision!;
    await expectNothingFor(anyPodTouched(name, IMAGE_V2), 'OnDelete must not touch pods on a template change', (items) => renderPods(items));
    expect(pending.status, showSet(pending)).toMatchObject({ updatedReplicas: 0, readyReplicas: 3 });

    await deletePod(ns.name, `${name}-1`);
    const one = await waitForPodNames(ns.name, name, [0, 1, 2].map((o) => `${name}-${o}`), (p) => isPodReady(p) && (p.metadata?.name !== `${name}-1` || imageOf(p) === IMAGE_V2), 'manual-1 recreated at the new image');
    expect(layout(one)).toEqual([
      [`${name}-0`, IMAGE_V1, rev1],
      [`${name}-1`, IMAGE_V2, rev2],
      [`${name}-2`, IMAGE_V1, rev1],
    ]);
    await waitForStatefulSet(ns.name, name, (s) => s.status?.updatedReplicas === 1 && s.status.readyReplicas === 3, 'updatedReplicas 1', timeouts().statusSync);

    await deletePod(ns.name, `${name}-0`);
    await deletePod(ns.name, `${name}-2`);
    const all = await waitForPodNames(ns.name, name, [0, 1, 2].map((o) => `${name}-${o}`), (p) => isPodReady(p) && imageOf(p) === IMAGE_V2, 'every pod recreated at the new image');
    expect(layout(all)).toEqual([0, 1, 2].map((o) => [`${name}-${o}`, IMAGE_V2, rev2]));
    const s = await waitForStatefulSet(ns.name, name, (x) => x.status?.updatedReplicas === 3 && x.status.readyReplicas === 3, 'updatedReplicas 3', timeouts().statusSync);
    expect(s.status?.updateRevision, showSet(s)).toBe(rev2);
  });
});

describeFeature('StatefulSet.Partition', 'paused and specified-delete', () => {
  it('paused stops the rolling update but not scaling; new ordinals take the update revision', async () => {
    const name = 'paused';
    await createSet(ns.name, asts(name, { replicas: 2, updateStrategy: rolling({ paused: true }) }));
    const initial = await waitSettled(ns.name, name, 2);
    const rev1 = initial.status!.updateRevision!;
    await setImage(name, IMAGE_V2);
    await expectNothingFor(anyPodTouched(name, IMAGE_V2), 'paused must not update pods', (items) => renderPods(items));
    await patchObject(ASTS, ns.name, name, { spec: { replicas: 3 } });
    const scaled = await waitForPodNames(ns.name, name, [0, 1, 2].map((o) => `${name}-${o}`), isPodReady, 'paused-2 created while paused');
    const rev2 = (await waitForStatefulSet(ns.name, name, (s) => s.status?.readyReplicas === 3, 'readyReplicas 3', timeouts().statusSync)).status!.updateRevision!;
    expect(layout(scaled), 'scaled while paused: old pods untouched, the new ordinal at the update revision').toEqual([
      [`${name}-0`, IMAGE_V1, rev1],
      [`${name}-1`, IMAGE_V1, rev1],
      [`${name}-2`, IMAGE_V2, rev2],
    ]);
    await updateSet(ns.name, name, (s) => (s.spec.updateStrategy = rolling({ ...s.spec.updateStrategy?.rollingUpdate, paused: false })));
    await waitSettled(ns.name, name, 3, 'unpaused: every pod updated');
  });

  it('replaces a pod labelled apps.kruise.io/specified-delete at the revision of its ordinal, within maxUnavailable', async () => {
    const name = 'marked';
    const all = [0, 1, 2, 3].map((o) => `${name}-${o}`);
    await createSet(ns.name, asts(name, { replicas: 4 }));
    const initial = await waitSettled(ns.name, name, 4);
    const rev1 = initial.status!.updateRevision!;
    const m = await watch(name, { maxPods: 4, minAvailable: 3, maxUpdated: 2 }, withImage(IMAGE_V2));
    const uidOf = async () => new Map((await setPods(ns.name, name)).map((p) => [p.metadata!.name!, p.metadata!.uid!]));
    const replaced = async (targets: string[], describe: string) => {
      const before = await uidOf();
      for (const t of targets) await labelPod(ns.name, t, { [SPECIFIED_DELETE]: 'true' });
      return watched(m, waitForPodNames(ns.name, name, all, (p) => isPodReady(p) && (!targets.includes(p.metadata!.name!) || p.metadata?.uid !== before.get(p.metadata!.name!)), describe));
    };

    let pods = await replaced([`${name}-1`], 'marked-1 replaced by a new pod');
    const fresh = pods.find((p) => p.metadata?.name === `${name}-1`)!;
    expect({ revision: revisionOf(fresh), label: fresh.metadata?.labels?.[SPECIFIED_DELETE] }, 'the replacement is at the current revision and unmarked').toEqual({ revision: rev1, label: undefined });

    await setImage(name, IMAGE_V2, (s) => partitionOf(s, 2));
    const rolled = await watched(m, waitForStatefulSet(ns.name, name, (s) => s.status?.updatedReplicas === 2 && s.status.readyReplicas === 4, 'partition 2: two pods updated'));
    const rev2 = rolled.status!.updateRevision!;

    pods = await replaced([`${name}-1`], 'marked-1 (below the partition) replaced');
    expect(layout(pods), 'below the partition a replacement keeps the current revision').toEqual([
      [`${name}-0`, IMAGE_V1, rev1],
      [`${name}-1`, IMAGE_V1, rev1],
      [`${name}-2`, IMAGE_V2, rev2],
      [`${name}-3`, IMAGE_V2, rev2],
    ]);
    pods = await replaced([`${name}-0`, `${name}-3`], 'marked-0 and marked-3 replaced, one at a time');
    expect(layout(pods), `replacements at their ordinal's revision\n${showPods(pods)}`).toEqual([
      [`${name}-0`, IMAGE_V1, rev1],
      [`${name}-1`, IMAGE_V1, rev1],
      [`${name}-2`, IMAGE_V2, rev2],
      [`${name}-3`, IMAGE_V2, rev2],
    ]);
    // The monitor's minAvailable 3 proved the replacements stayed within maxUnavailable 1.
    await m.stop();
  });
});
