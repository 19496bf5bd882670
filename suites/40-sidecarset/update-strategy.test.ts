/**
 * updateStrategy of the in-place sidecar rollout (spec §5.5, §13.7; OpenKruise e2e "sidecarSet
 * upgrade cold sidecar container image, and paused", "..., and selector", "..., and partition"):
 * `paused` stops upgrades (new pods still get the latest spec); `selector` limits upgrades to the
 * pods it matches; `partition` keeps that many matched pods (a percent of the matched pods,
 * rounded up) at the old sidecar. Rollouts run under an invariant monitor: pods are never deleted
 * and never more are upgraded than the strategy allows.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, SIDECARSET, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { IMAGE_V1, IMAGE_V2, podsOf } from '../lib/workloads.ts';
import { arrangeSidecarRollout, counts, holdsSteady, imageIn, monitorPods, patchPod, renderSidecarPods, waitForSidecarPods, waitForSidecarSet, watched } from './fixtures.ts';

const isNew = (p: V1Pod) => imageIn(p) === IMAGE_V2;
const v2 = { containers: [{ name: 'sidecar', image: IMAGE_V2 }] };

describeFeature('SidecarSet.UpdateStrategy', 'updateStrategy paused, selector and partition bound the sidecar rollout', () => {
  const ns = useNamespace('ss-strategy');

  const arrange = (app: string, replicas: number, extra: Record<string, unknown> = {}) => arrangeSidecarRollout(ns.name, app, replicas, extra);

  it('paused: no pod is upgraded while paused, new pods get the latest spec, and the rollout resumes when unpaused', async () => {
    const { name } = await arrange('paused', 2);
    const monitor = await monitorPods(ns.name, podsOf('paused'), { maxUpdated: 0, keepOriginalPods: true }, isNew);
    await patchObject(SIDECARSET, undefined, name, { spec: { ...v2, updateStrategy: { paused: true } } });
    await watched(monitor, waitForSidecarSet(name, counts({ matched: 2, updated: 0, ready: 2, updatedReady: 0 }), 'paused: matched 2, updated 0'));
    await holdsSteady(ns.name, podsOf('paused'), { maxUpdated: 0 }, isNew);
    await monitor.stop();

    // A pod created while paused is injected with the latest spec.
    await patchObject(CLONESET, ns.name, 'paused', { spec: { replicas: 3 } });
    await waitForSidecarSet(name, counts({ matched: 3, updated: 1, ready: 3, updatedReady: 1 }), 'paused: the new pod is the only updated one');

    await patchObject(SIDECARSET, undefined, name, { spec: { updateStrategy: { paused: false } } });
    await waitForSidecarSet(name, counts({ matched: 3, updated: 3, ready: 3, updatedReady: 3 }), 'unpaused: all 3 updated');
    const pods = await waitForSidecarPods(ns.name, podsOf('paused'), 3, (p) => isPodReady(p) && isNew(p), `3 Ready pods at ${IMAGE_V2}`);
    expect(pods.length).toBe(3);
  });

  it('selector: only the pods it matches are upgraded; without it the rest follow', async () => {
    const { name, pods } = await arrange('canary', 2);
    const canary = pods[0]!.metadata!.name!;
    await patchPod(ns.name, canary, { metadata: { labels: { 'canary.release': 'true' } } });
    const monitor = await monitorPods(ns.name, podsOf('canary'), { maxUpdated: 1, keepOriginalPods: true }, isNew);
    await patchObject(SIDECARSET, undefined, name, { spec: { ...v2, updateStrategy: { selector: { matchLabels: { 'canary.release': 'true' } } } } });
    await watched(monitor, waitForSidecarSet(name, counts({ matched: 2, updated: 1, ready: 2, updatedReady: 1 }), 'only the canary pod updated'));
    await holdsSteady(ns.name, podsOf('canary'), { maxUpdated: 1 }, isNew);
    await monitor.stop();
    const now = await waitForSidecarPods(ns.name, podsOf('canary'), 2, isPodReady, '2 Ready pods');
    expect(
      now.map((p) => [p.metadata?.name, imageIn(p)]).sort(),
      `the canary pod alone has the new sidecar:\n${renderSidecarPods(now)}`,
    ).toEqual(pods.map((p) => [p.metadata?.name, p.metadata?.name === canary ? IMAGE_V2 : IMAGE_V1]).sort());

    await patchObject(SIDECARSET, undefined, name, { spec: { updateStrategy: { selector: null } } });
    await waitForSidecarSet(name, counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 }), 'selector removed: both updated');
  });

  it('partition: a percent keeps ceil(percent x matched) pods at the old sidecar, an integer that many, none when removed', async () => {
    const { name } = await arrange('part', 3);
    // 50% of 3 matched pods rounds up to 2 kept, so 1 pod is upgraded.
    let monitor = await monitorPods(ns.name, podsOf('part'), { maxUpdated: 1, keepOriginalPods: true }, isNew);
    await patchObject(SIDECARSET, undefined, name, { spec: { ...v2, updateStrategy: { partition: '50%' } } });
    await watched(monitor, waitForSidecarSet(name, counts({ matched: 3, updated: 1, ready: 3, updatedReady: 1 }), 'partition 50%: 1 of 3 updated'));
    await holdsSteady(ns.name, podsOf('part'), { maxUpdated: 1 }, isNew);
    await monitor.stop();

    monitor = await monitorPods(ns.name, podsOf('part'), { maxUpdated: 2, keepOriginalPods: true }, isNew);
    await patchObject(SIDECARSET, undefined, name, { spec: { updateStrategy: { partition: 1 } } });
    await watched(monitor, waitForSidecarSet(name, counts({ matched: 3, updated: 2, ready: 3, updatedReady: 2 }), 'partition 1: 2 of 3 updated'));
    await holdsSteady(ns.name, podsOf('part'), { maxUpdated: 2 }, isNew);
    await monitor.stop();

    monitor = await monitorPods(ns.name, podsOf('part'), { keepOriginalPods: true }, isNew);
    await patchObject(SIDECARSET, undefined, name, { spec: { updateStrategy: { partition: null } } });
    await watched(monitor, waitForSidecarSet(name, counts({ matched: 3, updated: 3, ready: 3, updatedReady: 3 }), 'no partition: all 3 updated'));
    const pods = await watched(monitor, waitForSidecarPods(ns.name, podsOf('part'), 3, (p) => isPodReady(p) && isNew(p), `3 Ready pods at ${IMAGE_V2}`));
    await monitor.stop();
    expect(pods.length).toBe(3);
  });
});
