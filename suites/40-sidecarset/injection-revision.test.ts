/**
 * injectionStrategy.revision (spec §5.2, §5.4 getSuitableRevisionSidecarSet; OpenKruise e2e
 * "sidecarSet InjectionStrategy.Revision checker", "sidecarSet inject pod sidecar during canary
 * upgrades"): new pods get a recorded revision instead of the latest spec. The revision is named
 * directly (revisionName) or as the newest one labelled with a custom version (the SidecarSet's
 * apps.kruise.io/sidecarset-custom-version label is copied onto its revisions). Policy Always (the
 * default) always injects it; Partial injects it into pods updateStrategy.selector does not match,
 * and otherwise into a percent partition's share of new pods, drawn per pod (an integer partition: none).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, SIDECARSET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, IMAGE_V3, cloneSet, podsOf } from '../lib/workloads.ts';
import {
  CUSTOM_VERSION_LABEL,
  bareOrOwnedPod,
  counts,
  createSidecarSet,
  imageIn,
  observed,
  podHashEntry,
  renderSidecarPods,
  sidecarSet,
  waitForRevisions,
  waitForSidecarPods,
  waitForSidecarSet,
} from './fixtures.ts';

const SHARED_MOUNT = [{ name: 'shared', mountPath: '/shared' }];
const withImage = (image: string, extra: Record<string, unknown> = {}) => [{ name: 'sidecar', image, volumeMounts: SHARED_MOUNT, ...extra }];

/**
 * A SidecarSet whose revision labelled customVersion 0 has the sidecar at IMAGE_V1 and whose latest
 * spec (customVersion 1) has it at IMAGE_V2, pinned to 0 with policy Partial at `partition`.
 */
async function pinnedPartial(name: string, namespace: string, app: string, partition: string | number): Promise<void> {
  await createSidecarSet({ ...sidecarSet(name, namespace, app), metadata: { name, labels: { [CUSTOM_VERSION_LABEL]: '0' } } });
  await patchObject(SIDECARSET, undefined, name, {
    metadata: { labels: { [CUSTOM_VERSION_LABEL]: '1' } },
    spec: { containers: withImage(IMAGE_V2), updateStrategy: { partition }, injectionStrategy: { revision: { customVersion: '0', policy: 'Partial' } } },
  });
  await observed(name);
}

describeFeature('SidecarSet.InjectionRevision', 'injectionStrategy.revision pins what new pods get', () => {
  const ns = useNamespace('ss-revision');

  it('with policy Always, new pods get the recorded revision, not the latest spec', async () => {
    const name = `${ns.name}-rev`;
    const v1 = await createSidecarSet(sidecarSet(name, ns.name, 'rev'));
    await patchObject(SIDECARSET, undefined, name, {
      spec: {
        containers: withImage(IMAGE_V2),
        updateStrategy: { paused: true },
        injectionStrategy: { revision: { revisionName: v1.status!.latestRevision, policy: 'Always' } },
      },
    });
    await waitForSidecarSet(name, (s) => s.status?.latestRevision !== v1.status!.latestRevision, 'a second revision recorded', timeouts().statusSync);
    await createObject(CLONESET, ns.name, cloneSet('rev', { replicas: 2 }));
    const pods = await waitForSidecarPods(ns.name, podsOf('rev'), 2, isPodReady, '2 Ready pods', timeouts().podsReady);
    expect(pods.map((p) => imageIn(p)), `sidecar images injected from revision ${v1.status!.latestRevision}`).toEqual([IMAGE_V1, IMAGE_V1]);
    for (const p of pods) expect(podHashEntry(p, name)?.controllerRevision, 'the pod records the revision it got').toBe(v1.status!.latestRevision);
  });

  it('customVersion picks the revision carrying that label; once unpaused the pod is upgraded to the latest', async () => {
    const name = `${ns.name}-custom`;
    await createSidecarSet({ ...sidecarSet(name, ns.name, 'custom', { updateStrategy: { paused: true } }), metadata: { name, labels: { [CUSTOM_VERSION_LABEL]: '0' } } });
    for (const [version, image] of [['1', IMAGE_V2], ['2', IMAGE_V3]] as const) {
      await patchObject(SIDECARSET, undefined, name, { metadata: { labels: { [CUSTOM_VERSION_LABEL]: version } }, spec: { containers: withImage(image) } });
      await observed(name);
    }
    const revs = await waitForRevisions(name, (r) => r.map((x) => x.metadata?.labels?.[CUSTOM_VERSION_LABEL]).join() === '0,1,2', 'three revisions labelled 0, 1, 2');
    const picked = revs[1]!;

    await patchObject(SIDECARSET, undefined, name, { spec: { injectionStrategy: { revision: { customVersion: '1', policy: 'Always' } } } });
    await observed(name);
    await createObject(CLONESET, ns.name, cloneSet('custom', { replicas: 1 }));
    const [pod] = await waitForSidecarPods(ns.name, podsOf('custom'), 1, isPodReady, '1 Ready pod', timeouts().podsReady);
    expect(imageIn(pod!), 'the sidecar comes from the revision labelled 1').toBe(IMAGE_V2);
    expect(podHashEntry(pod!, name)?.controllerRevision, 'the pod records that revision').toBe(picked.metadata?.name);

    await patchObject(SIDECARSET, undefined, name, { spec: { updateStrategy: { paused: false } } });
    const done = await waitForSidecarSet(name, counts({ matched: 1, updated: 1, ready: 1, updatedReady: 1 }), 'the pod upgraded to the latest');
    const [after] = await waitForSidecarPods(ns.name, podsOf('custom'), 1, (p) => isPodReady(p) && imageIn(p) === IMAGE_V3, `the pod at ${IMAGE_V3}`);
    expect(after!.metadata?.uid, 'upgraded in place').toBe(pod!.metadata?.uid);
    expect(podHashEntry(after!, name)?.controllerRevision, 'the pod now records the latest revision').toBe(done.status?.latestRevision);
    expect(done.status?.latestRevision, 'status.latestRevision = the revision labelled 2').toBe(revs[2]!.metadata?.name);
  });

  it('Partial with updateStrategy.selector: pods outside the selector get the pinned revision, selected pods the latest (canary)', async () => {
    const name = `${ns.name}-canary`;
    const base = sidecarSet(name, ns.name, 'unused', { updateStrategy: { type: 'RollingUpdate' } });
    (base.spec as Record<string, unknown>).selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['stable', 'canary'] }] };
    await createSidecarSet({ ...base, metadata: { name, labels: { [CUSTOM_VERSION_LABEL]: '0' } } });
    const workload = (app: string) => {
      const cs = cloneSet(app, { replicas: 1 }) as { spec: { template: { metadata: { labels: Record<string, string> } } } };
      cs.spec.template.metadata.labels.track = app;
      return cs as unknown as Record<string, unknown>;
    };
    await createObject(CLONESET, ns.name, workload('stable'));
    await createObject(CLONESET, ns.name, workload('canary'));
    await waitForSidecarPods(ns.name, 'track in (stable,canary)', 2, (p) => isPodReady(p) && imageIn(p) === IMAGE_V1, '1 stable + 1 canary pod at the stable sidecar', timeouts().podsReady);

    // The canary spec changes more than the image, so no existing pod can be upgraded in place.
    await patchObject(SIDECARSET, undefined, name, {
      metadata: { labels: { [CUSTOM_VERSION_LABEL]: '1' } },
      spec: {
        containers: withImage(IMAGE_V2, { env: [{ name: 'SOME_ENV', value: 'SOME_VAL' }] }),
        updateStrategy: { selector: { matchLabels: { track: 'canary' } } },
        injectionStrategy: { revision: { customVersion: '0', policy: 'Partial' } },
      },
    });
    await waitForSidecarSet(name, counts({ matched: 2, updated: 0, ready: 2, updatedReady: 0 }), 'matched 2, none updated');

    await patchObject(CLONESET, ns.name, 'stable', { spec: { replicas: 2 } });
    await patchObject(CLONESET, ns.name, 'canary', { spec: { replicas: 2 } });
    const stable = await waitForSidecarPods(ns.name, 'track=stable', 2, isPodReady, '2 Ready stable pods');
    const canary = await waitForSidecarPods(ns.name, 'track=canary', 2, isPodReady, '2 Ready canary pods');
    expect(stable.map((p) => imageIn(p)), `stable pods: both at the pinned sidecar\n${renderSidecarPods(stable)}`).toEqual([IMAGE_V1, IMAGE_V1]);
    expect(canary.map((p) => imageIn(p)).sort(), `canary pods: the old one pinned, the new one latest\n${renderSidecarPods(canary)}`).toEqual([IMAGE_V1, IMAGE_V2].sort());
  });

  it('Partial with partition 100% injects the pinned revision; an integer partition (3) injects the latest', async () => {
    const name = `${ns.name}-partial`;
    await pinnedPartial(name, ns.name, 'partial', '100%');
    const { core } = kube();
    const pinned = await core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p-pinned', 'partial') as V1Pod });
    expect(imageIn(pinned), 'partition 100%: the pinned revision (customVersion 0)').toBe(IMAGE_V1);

    // An integer partition is not a share of new pods: Partial then injects the latest spec.
    await patchObject(SIDECARSET, undefined, name, { spec: { updateStrategy: { partition: 3 } } });
    await observed(name);
    const latest = await core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p-latest', 'partial') as V1Pod });
    expect(imageIn(latest), 'integer partition 3: the latest spec, not the pinned revision').toBe(IMAGE_V2);
  });

  it("Partial with partition 70% (the seed's canary): of 60 new pods, 30 to 54 get the pinned revision and the rest the latest", async () => {
    // The draw is random per pod (spec §13): with p = 0.7 the pinned count is Binomial(60, 0.7),
    // mean 42; [30, 54] holds it with probability > 0.999, while "always pinned" (60), "never"
    // (0) and the inverse share (p = 0.3, mean 18) all fall outside.
    const name = `${ns.name}-seventy`;
    await pinnedPartial(name, ns.name, 'seventy', '70%');
    const { core } = kube();
    const images: string[] = [];
    for (let i = 0; i < 60; i++) {
      const pod = await core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod(`p70-${i}`, 'seventy') as V1Pod });
      images.push(imageIn(pod) ?? '(no sidecar)');
    }
    const tally = images.reduce<Record<string, number>>((acc, img) => ({ ...acc, [img]: (acc[img] ?? 0) + 1 }), {});
    const pinnedCount = tally[IMAGE_V1] ?? 0;
    expect(pinnedCount + (tally[IMAGE_V2] ?? 0), `every pod gets the pinned (${IMAGE_V1}) or the latest (${IMAGE_V2}) sidecar; got ${JSON.stringify(tally)}`).toBe(60);
    expect(pinnedCount, `pods given the pinned revision at partition 70% (expected 30..54 of 60); got ${JSON.stringify(tally)}`).toBeGreaterThanOrEqual(30);
    expect(pinnedCount, `pods given the pinned revision at partition 70% (expected 30..54 of 60); got ${JSON.stringify(tally)}`).toBeLessThanOrEqual(54);
  });
});
