/**
 * SidecarSet status and in-place sidecar upgrade (spec §5.5; OpenKruise e2e "sidecarSet upgrade
 * cold sidecar container image only", "...and partition", "sidecarSet upgrade sidecar container
 * (more than image field), no pod should be updated", "sidecarSet InjectionStrategy.Revision").
 * Pods are CloneSet pods, so the upgrade can be watched on pods that a controller owns.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, SIDECARSET, createObject, type Obj, patchObject, waitForOne } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, IMAGE_V3, cloneSet, podsOf, renderPods, waitForPods } from '../lib/workloads.ts';
import { sidecarSet, track } from './fixtures.ts';

interface SidecarSetObj extends Obj {
  status?: { observedGeneration?: number; matchedPods?: number; updatedPods?: number; readyPods?: number; updatedReadyPods?: number; latestRevision?: string };
}

const sidecarImage = (p: V1Pod) => p.spec?.containers.find((c) => c.name === 'sidecar')?.image;

function waitForSidecarSet(name: string, predicate: (s: SidecarSetObj) => boolean, describe: string): Promise<SidecarSetObj | undefined> {
  return waitForOne<SidecarSetObj>(SIDECARSET, undefined, name, (o) => !!o && o.status?.observedGeneration === o.metadata.generation && predicate(o), {
    timeoutMs: timeouts().rolloutComplete,
    describe: `SidecarSet ${name}: ${describe}`,
    render: (items) => JSON.stringify(items.map((i) => (i as SidecarSetObj).status), null, 2),
  });
}

describeFeature(['SidecarSet.InPlaceUpgrade', 'SidecarSet.Status'], 'image changes of a sidecar roll out in place', () => {
  const ns = useNamespace('ss-upgrade');

  it('counts matched/updated/ready pods and upgrades the sidecar image in place, keeping pod UIDs, within the partition', async () => {
    const name = track(`${ns.name}-up`);
    await createObject(SIDECARSET, undefined, sidecarSet(name, ns.name, 'up', { updateStrategy: { type: 'RollingUpdate', partition: 1, maxUnavailable: 1 } }));
    await waitForSidecarSet(name, () => true, 'observed');
    await createObject(CLONESET, ns.name, cloneSet('up', { replicas: 3 }));
    const before = await waitForPods(ns.name, podsOf('up'), 3, (p) => isPodReady(p) && sidecarImage(p) === IMAGE_V1, '3 Ready pods with the sidecar injected');
    await waitForSidecarSet(name, (s) => s.status?.matchedPods === 3 && s.status.updatedPods === 3 && s.status.readyPods === 3, 'matched 3, updated 3, ready 3');

    await patchObject(SIDECARSET, undefined, name, { spec: { containers: [{ name: 'sidecar', image: IMAGE_V2, volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }] } });
    // partition 1 of 3 matched pods: 2 upgraded, 1 left at the old image.
    const after = await waitForPods(ns.name, podsOf('up'), 3, isPodReady, '3 Ready pods', timeouts().rolloutComplete);
    const done = await waitForSidecarSet(name, (s) => s.status?.matchedPods === 3 && s.status.updatedPods === 2 && s.status.readyPods === 3, 'partition 1: 2 of 3 pods updated');
    const now = await waitForPods(ns.name, podsOf('up'), 3, isPodReady, '3 Ready pods after the upgrade');
    const upgraded = now.filter((p) => sidecarImage(p) === IMAGE_V2);
    expect(upgraded.length, `pods with the new sidecar image:\n${renderPods(now as never)}`).toBe(2);
    const uids = new Set(before.map((p) => p.metadata!.uid));
    for (const p of now) expect(uids.has(p.metadata!.uid), `${p.metadata?.name} kept its UID (in place)`).toBe(true);
    for (const p of upgraded) expect(p.status?.containerStatuses?.find((c) => c.name === 'sidecar')?.restartCount, `sidecar of ${p.metadata?.name} restarted once`).toBe(1);
    expect(after.length).toBe(3);
    expect(done?.status?.latestRevision, 'status.latestRevision names a revision').toBeTruthy();
  });

  it('a change beyond the image upgrades no pod', async () => {
    const name = track(`${ns.name}-env`);
    await createObject(SIDECARSET, undefined, sidecarSet(name, ns.name, 'env'));
    await waitForSidecarSet(name, () => true, 'observed');
    await createObject(CLONESET, ns.name, cloneSet('env', { replicas: 2 }));
    const before = await waitForPods(ns.name, podsOf('env'), 2, (p) => isPodReady(p) && sidecarImage(p) === IMAGE_V1, '2 Ready pods with the sidecar');
    await patchObject(SIDECARSET, undefined, name, { spec: { containers: [{ name: 'sidecar', image: IMAGE_V3, env: [{ name: 'MODE', value: 'changed' }], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }] } });
    await waitForSidecarSet(name, (s) => s.status?.matchedPods === 2 && s.status.updatedPods === 0, 'matched 2, updated 0 (the change is not image-only)');
    const now = await waitForPods(ns.name, podsOf('env'), 2, isPodReady, '2 Ready pods');
    expect(now.map(sidecarImage), 'sidecar images stay at the old version').toEqual([IMAGE_V1, IMAGE_V1]);
    expect(new Set(now.map((p) => p.metadata!.uid))).toEqual(new Set(before.map((p) => p.metadata!.uid)));
  });
});

describeFeature('SidecarSet.InjectionRevision', 'injectionStrategy.revision pins what new pods get', () => {
  const ns = useNamespace('ss-revision');

  it('with policy Always, new pods get the recorded revision, not the latest spec', async () => {
    const name = track(`${ns.name}-rev`);
    await createObject(SIDECARSET, undefined, sidecarSet(name, ns.name, 'rev'));
    const v1 = await waitForSidecarSet(name, (s) => !!s.status?.latestRevision, 'a first revision recorded');
    await patchObject(SIDECARSET, undefined, name, {
      spec: {
        containers: [{ name: 'sidecar', image: IMAGE_V2, volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
        updateStrategy: { paused: true },
        injectionStrategy: { revision: { revisionName: v1!.status!.latestRevision, policy: 'Always' } },
      },
    });
    await waitForSidecarSet(name, (s) => s.status?.latestRevision !== v1!.status!.latestRevision, 'a second revision recorded');
    await createObject(CLONESET, ns.name, cloneSet('rev', { replicas: 2 }));
    const pods = await waitForPods(ns.name, podsOf('rev'), 2, isPodReady, '2 Ready pods');
    expect(pods.map(sidecarImage), `sidecar images injected from revision ${v1!.status!.latestRevision}`).toEqual([IMAGE_V1, IMAGE_V1]);
  });
});
