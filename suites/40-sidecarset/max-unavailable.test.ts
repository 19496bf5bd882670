/**
 * maxUnavailable of the in-place sidecar rollout (spec §5.5 calculateUpgradeCount, §13.7; OpenKruise
 * e2e "sidecarSet upgrade cold sidecar container failed image, and only update one pod",
 * "sidecarSet upgrade cold sidecar container image, and maxUnavailable"). Upgraded pods that are not
 * ready again count against maxUnavailable (an integer, or a percent of the matched pods rounded
 * up), so an image that never becomes ready stops the rollout after that many pods. A later good
 * image reaches every pod: not-ready pods are upgraded without counting against the limit.
 *
 * The never-ready image is simulated as described at NEVER_READY_IMAGE (fixtures.ts).
 */
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { SIDECARSET, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { IMAGE_V1, IMAGE_V2, IMAGE_V3, podsOf } from '../lib/workloads.ts';
import {
  HASH_ANNOTATION,
  HASH_WITHOUT_IMAGE_ANNOTATION,
  NEVER_READY_IMAGE,
  arrangeSidecarRollout,
  counts,
  holdRestartsNotReady,
  holdsSteady,
  imageIn,
  monitorPods,
  podHashEntry,
  replaceHeldImage,
  waitForSidecarPods,
  waitForSidecarSet,
  watched,
} from './fixtures.ts';

const withImage = (image: string) => ({ spec: { containers: [{ name: 'sidecar', image }] } });

describeFeature(['SidecarSet.UpdateStrategy', 'SidecarSet.Status'], 'maxUnavailable bounds the sidecar rollout, also when an image never becomes ready', () => {
  const ns = useNamespace('ss-maxu');

  const arrange = (app: string, replicas: number, extra: Record<string, unknown> = {}) => arrangeSidecarRollout(ns.name, app, replicas, extra);

  /** Every pod records the SidecarSet's current hashes and its sidecar list. */
  async function expectPodsRecord(name: string, app: string, replicas: number, image: string): Promise<void> {
    const ss = await waitForSidecarSet(name, counts({ matched: replicas, updated: replicas, ready: replicas, updatedReady: replicas }), `all pods at ${image}`);
    const pods = await waitForSidecarPods(ns.name, podsOf(app), replicas, (p) => isPodReady(p) && imageIn(p) === image, `${replicas} Ready pods at ${image}`);
    for (const p of pods) {
      const entry = podHashEntry(p, name);
      const noImage = podHashEntry(p, name, HASH_WITHOUT_IMAGE_ANNOTATION);
      expect({ hash: entry?.hash, sidecarSetName: entry?.sidecarSetName, sidecarList: entry?.sidecarList }, `${HASH_ANNOTATION} of ${p.metadata?.name}`).toEqual({
        hash: ss.metadata.annotations?.[HASH_ANNOTATION],
        sidecarSetName: name,
        sidecarList: ['sidecar'],
      });
      expect({ hash: noImage?.hash, sidecarList: noImage?.sidecarList }, `${HASH_WITHOUT_IMAGE_ANNOTATION} of ${p.metadata?.name}`).toEqual({ hash: ss.metadata.annotations?.[HASH_WITHOUT_IMAGE_ANNOTATION], sidecarList: ['sidecar'] });
    }
  }

  it('default maxUnavailable 1: an image that never becomes ready reaches one pod only; a good image then reaches both', async () => {
    const { name, pods } = await arrange('failed', 2);
    await expectPodsRecord(name, 'failed', 2, IMAGE_V1);

    await holdRestartsNotReady(ns.name, pods);
    const monitor = await monitorPods(ns.name, podsOf('failed'), { maxUpdated: 1, minAvailable: 1, keepOriginalPods: true }, (p) => imageIn(p) === NEVER_READY_IMAGE);
    await patchObject(SIDECARSET, undefined, name, withImage(NEVER_READY_IMAGE));
    await watched(monitor, waitForSidecarSet(name, counts({ matched: 2, updated: 1, ready: 1, updatedReady: 0 }), 'one pod updated and not ready, the other untouched'));
    await holdsSteady(ns.name, podsOf('failed'), { maxUpdated: 1 }, (p) => imageIn(p) === NEVER_READY_IMAGE);
    await monitor.stop();

    await replaceHeldImage(ns.name, podsOf('failed'), pods, () => patchObject(SIDECARSET, undefined, name, withImage(IMAGE_V2)), (p) => imageIn(p) === IMAGE_V2);
    await expectPodsRecord(name, 'failed', 2, IMAGE_V2);
  });

  it('maxUnavailable 30% of 4 matched pods rounds up to 2: at most 2 unavailable, and a never-ready image stops after 2', async () => {
    const { name, pods } = await arrange('pct', 4, { updateStrategy: { type: 'RollingUpdate', maxUnavailable: '30%' } });

    // A good image: never fewer than 4 - 2 Ready pods, and no pod replaced.
    let monitor = await monitorPods(ns.name, podsOf('pct'), { minAvailable: 2, keepOriginalPods: true }, (p) => imageIn(p) === IMAGE_V2);
    await patchObject(SIDECARSET, undefined, name, withImage(IMAGE_V2));
    await watched(monitor, waitForSidecarSet(name, counts({ matched: 4, updated: 4, ready: 4, updatedReady: 4 }), 'all 4 updated and ready'));
    await watched(monitor, waitForSidecarPods(ns.name, podsOf('pct'), 4, (p) => isPodReady(p) && imageIn(p) === IMAGE_V2, `4 Ready pods at ${IMAGE_V2}`));
    const peaks = await monitor.stop();
    expect(peaks.minAvailable, `fewest Ready pods during the rollout; timeline:\n${monitor.timeline()}`).toBeGreaterThanOrEqual(2);

    // A never-ready image: exactly ceil(30% x 4) = 2 pods take it, the other 2 stay Ready.
    await holdRestartsNotReady(ns.name, pods);
    monitor = await monitorPods(ns.name, podsOf('pct'), { maxUpdated: 2, minAvailable: 2, keepOriginalPods: true }, (p) => imageIn(p) === NEVER_READY_IMAGE);
    await patchObject(SIDECARSET, undefined, name, withImage(NEVER_READY_IMAGE));
    await watched(monitor, waitForSidecarSet(name, counts({ matched: 4, updated: 2, ready: 2, updatedReady: 0 }), 'maxUnavailable 30% of 4 = 2 pods updated, not ready'));
    await holdsSteady(ns.name, podsOf('pct'), { maxUpdated: 2 }, (p) => imageIn(p) === NEVER_READY_IMAGE);
    await monitor.stop();

    await replaceHeldImage(ns.name, podsOf('pct'), pods, () => patchObject(SIDECARSET, undefined, name, withImage(IMAGE_V3)), (p) => imageIn(p) === IMAGE_V3);
    await waitForSidecarSet(name, counts({ matched: 4, updated: 4, ready: 4, updatedReady: 4 }), `all 4 at ${IMAGE_V3}`);
  });
});
