/**
 * The seed walkthrough ("CloneSet supports maxSurge"; spec §2.11): 5 replicas, maxSurge 20%,
 * maxUnavailable 0, partition 3, then partition 0; once with ReCreate and once with
 * InPlaceIfPossible. An invariant monitor watches the pods throughout: never more than 6 pods,
 * never fewer than 5 available, never more updated pods than the partition allows.
 *
 * Seed vs code: the seed says the surge pods are "cleaned up" at the end of an in-place rollout;
 * OpenKruise's calculateDiffsWithExpectation scales in by revision (scaleDownNumOld), so the pod
 * removed at the end is an old-revision one and the surge pod stays. Only what both agree on is
 * asserted: the counts, the peak, and that pods updated in place keep their UID.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { isPodReady, startInvariantMonitor, type InvariantMonitor } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, activePods, container, cloneSet, cloneSetSettled, imageOf, podsOf, waitForCloneSet, waitForPods } from '../lib/workloads.ts';

const REPLICAS = 5;
const isNew = (p: V1Pod) => imageOf(p) === IMAGE_V2;
const uidsByImage = (pods: V1Pod[], image: string) => new Set(activePods(pods).filter((p) => imageOf(p) === image).map((p) => p.metadata!.uid!));

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

/** Run `step` while the monitor watches; the first breach fails the test at once. */
async function watched<T>(m: InvariantMonitor, step: Promise<T>): Promise<T> {
  return Promise.race([step, m.breached]);
}

for (const type of ['ReCreate', 'InPlaceIfPossible'] as const) {
  const features = type === 'ReCreate' ? ['CloneSet.MaxSurge', 'CloneSet.Partition', 'CloneSet.MaxUnavailable'] : ['CloneSet.InPlaceSurge', 'CloneSet.InPlaceUpdate', 'CloneSet.Partition'];
  describeFeature(features, `seed walkthrough with ${type}: replicas 5, maxSurge 20%, maxUnavailable 0, partition 3 then 0`, () => {
    const ns = useNamespace(`walk-${type.toLowerCase()}`);
    const name = 'demo';

    it('surges to 6 pods (5 old + 1 new), settles at 3 old + 2 new on 5 pods, then partition 0 ends with 5 new', async () => {
      const { kc, core } = kube();
      await createObject(CLONESET, ns.name, cloneSet(name, { replicas: REPLICAS, image: IMAGE_V1, updateStrategy: { type, maxSurge: '20%', maxUnavailable: 0, partition: 3 } }));
      const initial = await waitForCloneSet(ns.name, name, cloneSetSettled(REPLICAS), '5 pods Ready at the first revision', timeouts().podsReady);
      const originals = uidsByImage((await core.listNamespacedPod({ namespace: ns.name, labelSelector: podsOf(name) })).items, IMAGE_V1);
      expect(originals.size, 'original pods').toBe(REPLICAS);

      // Step 1: new image, partition 3 -> 2 pods updated.
      monitor = await startInvariantMonitor(kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 6, minAvailable: 5, maxUpdated: 2 }, isUpdated: isNew });
      // A merge patch replaces the whole containers list: send the container unchanged but for its image.
      await patchObject(CLONESET, ns.name, name, { spec: { template: { spec: { containers: [container({ image: IMAGE_V2 })] } } } });
      const afterStep1 = await watched(
        monitor,
        waitForCloneSet(
          ns.name,
          name,
          (cs) => cs.status?.replicas === 5 && cs.status.updatedReplicas === 2 && cs.status.updatedReadyReplicas === 2 && cs.status.readyReplicas === 5,
          'partition 3: 5 pods, 2 updated and Ready',
        ),
      );
      const pods1 = await watched(monitor, waitForPods(ns.name, podsOf(name), 5, isPodReady, '5 Ready pods after partition 3'));
      const peaks1 = await monitor.stop();
      const firstSix = monitor.samples.find((s) => s.total === 6);
      expect(peaks1.maxPods, `peak pod count during partition 3 (replicas + maxSurge = 6); timeline:\n${monitor.timeline()}`).toBe(6);
      expect(firstSix && { total: firstSix.total, old: firstSix.total - firstSix.updated, updated: firstSix.updated }, `first moment with 6 pods; timeline:\n${monitor.timeline()}`).toEqual({ total: 6, old: 5, updated: 1 });
      expect({ old: pods1.filter((p) => !isNew(p)).length, updated: pods1.filter(isNew).length }, 'split after partition 3').toEqual({ old: 3, updated: 2 });
      expect(afterStep1.status, 'status after partition 3').toMatchObject({ replicas: 5, readyReplicas: 5, updatedReplicas: 2, updatedReadyReplicas: 2, expectedUpdatedReplicas: 2, currentRevision: initial.status!.currentRevision });
      expect(afterStep1.status!.updateRevision, 'updateRevision changed with the template').not.toBe(initial.status!.updateRevision);
      if (type === 'InPlaceIfPossible') {
        const inPlace = pods1.filter((p) => isNew(p) && originals.has(p.metadata!.uid!));
        expect(inPlace.length, `pods updated in place (same UID, new image) after partition 3; pods:\n${pods1.map((p) => `${p.metadata?.name} ${p.metadata?.uid} ${imageOf(p)}`).join('\n')}`).toBeGreaterThanOrEqual(1);
      }

      // Step 2: partition 0 -> all 5 updated.
      monitor = await startInvariantMonitor(kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 6, minAvailable: 5, maxUpdated: 5 }, isUpdated: isNew });
      await patchObject(CLONESET, ns.name, name, { spec: { updateStrategy: { partition: 0 } } });
      const done = await watched(monitor, waitForCloneSet(ns.name, name, cloneSetSettled(REPLICAS), 'partition 0: 5 pods updated and Ready'));
      const pods2 = await watched(monitor, waitForPods(ns.name, podsOf(name), 5, isNew, '5 pods at the new image'));
      const peaks2 = await monitor.stop();
      expect(peaks2.maxPods, `peak pod count during partition 0; timeline:\n${monitor.timeline()}`).toBe(6);
      expect(done.status, 'status at the end').toMatchObject({ replicas: 5, readyReplicas: 5, availableReplicas: 5, updatedReplicas: 5, updatedReadyReplicas: 5, expectedUpdatedReplicas: 5 });
      expect(done.status!.currentRevision, 'currentRevision follows updateRevision once every pod is updated').toBe(done.status!.updateRevision);
      if (type === 'InPlaceIfPossible') {
        const kept = pods2.filter((p) => originals.has(p.metadata!.uid!));
        expect(kept.length, 'original pods still present at the end were updated in place (UID kept)').toBeGreaterThanOrEqual(3);
        for (const p of kept) expect(p.metadata?.annotations?.['apps.kruise.io/inplace-update-state'], `in-place update state on ${p.metadata?.name}`).toBeTruthy();
      }
    });
  });
}
