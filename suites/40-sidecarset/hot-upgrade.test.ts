/**
 * Hot upgrade (spec §5.4, §5.7; OpenKruise e2e "sidecarSet inject pod hot upgrade sidecar
 * container", "sidecarSet upgrade hot sidecar container image", "... failed image"). A sidecar with
 * upgradeType HotUpgrade is injected as two containers: <name>-1 running the image and <name>-2
 * running hotUpgradeEmptyImage. The pod annotation kruise.io/sidecarset-working-hotupgrade-container
 * names the working one; version.sidecarset.kruise.io/<c> and versionalt.sidecarset.kruise.io/<c>
 * ("1"/"0" for the working one at injection, "0"/"1" for the idle one) feed each container's
 * SIDECARSET_VERSION / SIDECARSET_VERSION_ALT envs. An image change starts the new image in the idle
 * container, makes it the working one, and once it is ready resets the old one to the empty image;
 * the app container is never restarted. Only image changes are rolled out.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, SIDECARSET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, IMAGE_V3, cloneSet, podsOf } from '../lib/workloads.ts';
import {
  NEVER_READY_IMAGE,
  WORKING_HOT_CONTAINER,
  containerOf,
  counts,
  createSidecarSet,
  holdRestartsNotReady,
  holdsSteady,
  imageIn,
  replaceHeldImage,
  renderSidecarPods,
  sidecarSet,
  statusCounts,
  waitForSidecarPods,
  waitForSidecarSet,
} from './fixtures.ts';

const EMPTY = IMAGE_V3;
const hot = (image: string, extra: Record<string, unknown> = {}) => ({
  spec: { containers: [{ name: 'hot', image, upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: EMPTY }, ...extra }] },
});
const version = (p: V1Pod, c: string) => p.metadata?.annotations?.[`version.sidecarset.kruise.io/${c}`];
const versionAlt = (p: V1Pod, c: string) => p.metadata?.annotations?.[`versionalt.sidecarset.kruise.io/${c}`];
const working = (p: V1Pod) => (JSON.parse(p.metadata?.annotations?.[WORKING_HOT_CONTAINER] ?? '{}') as Record<string, string>).hot;
const restarts = (p: V1Pod, c: string) => p.status?.containerStatuses?.find((s) => s.name === c)?.restartCount;

/** The pod has settled with `active` working at `image` and the other container at the empty image. */
function settled(active: 'hot-1' | 'hot-2', image: string): (p: V1Pod) => boolean {
  const idle = active === 'hot-1' ? 'hot-2' : 'hot-1';
  return (p) => isPodReady(p) && working(p) === active && imageIn(p, active) === image && imageIn(p, idle) === EMPTY;
}

describeFeature('SidecarSet.HotUpgrade', 'HotUpgrade sidecars switch between two containers', () => {
  const ns = useNamespace('ss-hot');

  it('injects <name>-1 with the image and <name>-2 with the empty image, with the version annotations and envs', async () => {
    const name = `${ns.name}-inject`;
    const body = sidecarSet(name, ns.name, 'inject', { ...hot(IMAGE_V1).spec, volumes: [] });
    await createSidecarSet(body);
    const pod = await kube().core.createNamespacedPod({ namespace: ns.name, body: { metadata: { name: 'p-hot', labels: { app: 'inject' } }, spec: { containers: [{ name: 'main', image: IMAGE_V1 }] } } });
    expect(pod.spec?.containers.map((c) => [c.name, c.image]), 'containers').toEqual([
      ['hot-1', IMAGE_V1],
      ['hot-2', EMPTY],
      ['main', IMAGE_V1],
    ]);
    expect(working(pod), `${WORKING_HOT_CONTAINER}`).toBe('hot-1');
    expect([version(pod, 'hot-1'), versionAlt(pod, 'hot-1'), version(pod, 'hot-2'), versionAlt(pod, 'hot-2')], 'version / versionalt annotations of hot-1 and hot-2').toEqual(['1', '0', '0', '1']);
    for (const c of ['hot-1', 'hot-2']) {
      const env = Object.fromEntries((containerOf(pod, c)?.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value]));
      expect(env, `env of ${c}`).toMatchObject({
        IS_INJECTED: 'true',
        SIDECARSET_VERSION: `metadata.annotations['version.sidecarset.kruise.io/${c}']`,
        SIDECARSET_VERSION_ALT: `metadata.annotations['versionalt.sidecarset.kruise.io/${c}']`,
      });
    }
  });

  it('an image change starts in the idle container, which takes over; the old one is reset to the empty image; other changes roll out nothing', async () => {
    const name = `${ns.name}-swap`;
    await createSidecarSet(sidecarSet(name, ns.name, 'swap', { ...hot(IMAGE_V1).spec, volumes: [], updateStrategy: { type: 'RollingUpdate' } }));
    await createObject(CLONESET, ns.name, cloneSet('swap', { replicas: 1 }));
    const [before] = await waitForSidecarPods(ns.name, podsOf('swap'), 1, settled('hot-1', IMAGE_V1), '1 Ready pod, hot-1 working', timeouts().podsReady);

    await patchObject(SIDECARSET, undefined, name, hot(IMAGE_V2));
    await waitForSidecarSet(name, counts({ matched: 1, updated: 1, ready: 1, updatedReady: 1 }), 'the pod updated and ready');
    const [swapped] = await waitForSidecarPods(ns.name, podsOf('swap'), 1, settled('hot-2', IMAGE_V2), `hot-2 working at ${IMAGE_V2}, hot-1 reset to ${EMPTY}`);
    expect(swapped!.metadata?.uid, 'same pod').toBe(before!.metadata?.uid);
    expect([restarts(swapped!, 'hot-1'), restarts(swapped!, 'hot-2'), restarts(swapped!, 'main')], 'restarts of hot-1, hot-2, main').toEqual([1, 1, 0]);
    expect([version(swapped!, 'hot-1'), versionAlt(swapped!, 'hot-2')], 'the reset container and its partner\'s alt are version "0"').toEqual(['0', '0']);
    expect(version(swapped!, 'hot-2'), 'the working container has a new version').not.toMatch(/^[01]$/);
    expect(versionAlt(swapped!, 'hot-1'), 'hot-1\'s alt version is hot-2\'s version').toBe(version(swapped!, 'hot-2'));

    await patchObject(SIDECARSET, undefined, name, hot(IMAGE_V1));
    await waitForSidecarSet(name, counts({ matched: 1, updated: 1, ready: 1, updatedReady: 1 }), 'the pod updated and ready again');
    const [back] = await waitForSidecarPods(ns.name, podsOf('swap'), 1, settled('hot-1', IMAGE_V1), `hot-1 working at ${IMAGE_V1}, hot-2 reset to ${EMPTY}`);
    expect(restarts(back!, 'main'), 'the app container never restarted').toBe(0);

    // More than the image: nothing is rolled out.
    await patchObject(SIDECARSET, undefined, name, hot(IMAGE_V1, { env: [{ name: 'PROXY', value: '127.0.0.1' }] }));
    const s = await waitForSidecarSet(name, counts({ matched: 1, updated: 0, ready: 1, updatedReady: 0 }), 'matched 1, updated 0');
    await holdsSteady(ns.name, podsOf('swap'), { maxUpdated: 0, keepOriginalPods: true }, (p) => !settled('hot-1', IMAGE_V1)(p) || containerOf(p, 'hot-1')?.env?.some((e) => e.name === 'PROXY') === true);
    expect(statusCounts(s)).toEqual({ matched: 1, updated: 0, ready: 1, updatedReady: 0 });
  });

  it('an image that never becomes ready reaches one pod only; a good image then moves both pods to hot-2', async () => {
    const name = `${ns.name}-failed`;
    await createSidecarSet(sidecarSet(name, ns.name, 'failed', { ...hot(IMAGE_V1).spec, volumes: [], updateStrategy: { type: 'RollingUpdate' } }));
    await createObject(CLONESET, ns.name, cloneSet('failed', { replicas: 2 }));
    const pods = await waitForSidecarPods(ns.name, podsOf('failed'), 2, settled('hot-1', IMAGE_V1), '2 Ready pods, hot-1 working', timeouts().podsReady);

    await holdRestartsNotReady(ns.name, pods);
    await patchObject(SIDECARSET, undefined, name, hot(NEVER_READY_IMAGE));
    await waitForSidecarSet(name, counts({ matched: 2, updated: 1, ready: 1, updatedReady: 0 }), 'one pod updated and not ready');
    await holdsSteady(ns.name, podsOf('failed'), { maxUpdated: 1, keepOriginalPods: true }, (p) => imageIn(p, 'hot-2') === NEVER_READY_IMAGE);

    await replaceHeldImage(ns.name, podsOf('failed'), pods, () => patchObject(SIDECARSET, undefined, name, hot(IMAGE_V2)), (p) => imageIn(p, 'hot-1') === IMAGE_V2 || imageIn(p, 'hot-2') === IMAGE_V2);
    await waitForSidecarSet(name, counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 }), 'both pods updated and ready');
    const after = await waitForSidecarPods(ns.name, podsOf('failed'), 2, settled('hot-2', IMAGE_V2), `both pods: hot-2 working at ${IMAGE_V2}, hot-1 at ${EMPTY}`);
    expect(new Set(after.map((p) => p.metadata?.uid)), `same pods:\n${renderSidecarPods(after)}`).toEqual(new Set(pods.map((p) => p.metadata?.uid)));
  });
});
