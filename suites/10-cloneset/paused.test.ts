/**
 * updateStrategy.paused (spec digest §2.2, §2.4 "maxSurge forced to 0 when paused", §2.8 Update
 * step 2; OpenKruise e2e "pods should be ready when paused=true"): a paused CloneSet still creates
 * and deletes pods to match replicas (new pods at the update revision, since the partition is 0),
 * updates no existing pod, and does not surge; unpausing resumes the rollout.
 */
import { afterEach, expect, it } from 'vitest';
import { type InvariantMonitor, isPodReady, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V2, cloneSetSettled, podsOf, renderStatus, waitForCloneSet } from '../lib/workloads.ts';
import { cloneSetWith, describePods, expectPodsHold, listPods, revisionOf, setImage, settledPods, split, uidsOf, waitPods, watched } from './fixtures.ts';

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

describeFeature('CloneSet.Paused', 'paused stops updates but not scaling', () => {
  const ns = useNamespace('cs-paused');

  it('pods of a CloneSet created paused become Ready', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('born', { replicas: 3, updateStrategy: { type: 'ReCreate', paused: true } }));
    const cs = await waitForCloneSet(ns.name, 'born', cloneSetSettled(3), '3 pods Ready while paused', timeouts().podsReady);
    expect(cs.status, renderStatus(cs)).toMatchObject({ replicas: 3, readyReplicas: 3 });
  });

  it('a template change while paused updates no pod; scaling out adds pods at the new revision; unpausing finishes the rollout', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('hold', { replicas: 3 }));
    const first = await waitForCloneSet(ns.name, 'hold', cloneSetSettled(3), '3 pods Ready', timeouts().podsReady);
    const originals = uidsOf(await listPods(ns.name, 'hold'));
    await patchObject(CLONESET, ns.name, 'hold', { spec: { updateStrategy: { paused: true } } });
    await setImage(ns.name, 'hold', IMAGE_V2);
    const cs = await waitForCloneSet(ns.name, 'hold', (c) => !!c.status?.updateRevision && c.status.updateRevision !== first.status?.updateRevision, 'a new updateRevision');
    const rev = cs.status!.updateRevision!;
    expect({ updatedReplicas: cs.status?.updatedReplicas, currentRevision: cs.status?.currentRevision }, renderStatus(cs)).toEqual({ updatedReplicas: 0, currentRevision: first.status?.updateRevision });

    // Nothing may be updated for a steady period: the monitor fails at the first updated pod.
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf('hold'), bounds: { maxPods: 3, maxUpdated: 0 }, isUpdated: (p) => revisionOf(p) === rev });
    await watched(monitor, expectPodsHold(ns.name, 'hold', (pods) => pods.length === 3 && split(pods, rev).updated === 0, 'no pod updated while paused'));
    await monitor.stop();

    await patchObject(CLONESET, ns.name, 'hold', { spec: { replicas: 4 } });
    const four = await waitPods(ns.name, 'hold', settledPods(4, isPodReady), '4 Ready pods while paused');
    const added = four.filter((p) => !originals.has(p.metadata!.uid!));
    expect(
      { kept: four.filter((p) => originals.has(p.metadata!.uid!) && revisionOf(p) !== rev).length, added: added.map(revisionOf) },
      `paused: the 3 originals stay old, the added pod is at the update revision (partition 0):\n${describePods(four)}`,
    ).toEqual({ kept: 3, added: [rev] });

    await patchObject(CLONESET, ns.name, 'hold', { spec: { updateStrategy: { paused: false } } });
    const done = await waitForCloneSet(ns.name, 'hold', cloneSetSettled(4), 'all 4 pods updated after unpausing');
    expect(done.status?.currentRevision).toBe(rev);
  });

  it('paused forces maxSurge to 0: no surge pod appears; unpausing surges', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('nosurge', { replicas: 3, updateStrategy: { maxSurge: 1, maxUnavailable: 0, paused: true } }));
    const first = await waitForCloneSet(ns.name, 'nosurge', cloneSetSettled(3), '3 pods Ready', timeouts().podsReady);
    await setImage(ns.name, 'nosurge', IMAGE_V2);
    const cs = await waitForCloneSet(ns.name, 'nosurge', (c) => c.status?.updateRevision !== first.status?.updateRevision, 'a new updateRevision');
    const rev = cs.status!.updateRevision!;
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf('nosurge'), bounds: { maxPods: 3, maxUpdated: 0 }, isUpdated: (p) => revisionOf(p) === rev });
    await watched(monitor, expectPodsHold(ns.name, 'nosurge', (pods) => pods.length === 3, 'no fourth (surge) pod while paused'));
    await monitor.stop();

    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf('nosurge'), bounds: { maxPods: 4, minAvailable: 3 }, isUpdated: (p) => revisionOf(p) === rev });
    await patchObject(CLONESET, ns.name, 'nosurge', { spec: { updateStrategy: { paused: false } } });
    await watched(monitor, waitForCloneSet(ns.name, 'nosurge', cloneSetSettled(3), 'all 3 pods updated after unpausing'));
    const peaks = await monitor.stop();
    expect(peaks.maxPods, `with maxUnavailable 0 the rollout must surge; timeline:\n${monitor.timeline()}`).toBe(4);
  });
});
