/**
 * Advanced StatefulSet in-place vertical scaling (spec §1.3 with gate InPlaceWorkloadVerticalScaling,
 * §13.16): with InPlaceIfPossible a cpu/memory change that keeps the QoS class is applied to the
 * running pods: same UID, no restart, and the container status reports the new resources once the
 * resize is done. Image and resources can change together, and a rollback returns to the first
 * revision in place. OpenKruise e2e (inplace_vpa.go): "should perform rolling updates (including
 * resources) and roll backs".
 */
import type { V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { type InvariantMonitor, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import type { AdvancedStatefulSet } from '../lib/kinds.ts';
import { IMAGE_V1, IMAGE_V2, imageOf, podsOf } from '../lib/workloads.ts';
import { INPLACE_READY, asts, createSet, inPlace, mainContainer, restartsOf, revisionOf, setPods, showPods, showSet, updateSet, waitSettled } from './fixtures.ts';

const ns = useNamespace('asts-resize');
const name = 'vpa';
const ORIGINAL: V1ResourceRequirements = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
const BIGGER: V1ResourceRequirements = { requests: { cpu: '150m', memory: '96Mi' }, limits: { cpu: '300m', memory: '192Mi' } };
const BIGGER_CPU: V1ResourceRequirements = { requests: { cpu: '200m', memory: '96Mi' }, limits: { cpu: '300m', memory: '192Mi' } };

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

const main = (p: V1Pod) => p.spec?.containers.find((c) => c.name === 'main');
const mainStatus = (p: V1Pod) => p.status?.containerStatuses?.find((c) => c.name === 'main');
/** Resize done: spec and reported status both carry the wanted resources. */
const resizedTo = (want: V1ResourceRequirements) => (p: V1Pod) => isDeepStrictEqual(main(p)?.resources, want) && isDeepStrictEqual(mainStatus(p)?.resources, want);

/** Change the template, wait for the in-place rollout and check every pod kept its UID. */
async function inPlaceRollout(change: (s: AdvancedStatefulSet) => void, want: { image: string; resources: V1ResourceRequirements; restarts: number }, describe: string): Promise<AdvancedStatefulSet> {
  const before = await setPods(ns.name, name);
  monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 2, minAvailable: 1, keepOriginalPods: true }, isUpdated: resizedTo(want.resources) });
  await updateSet(ns.name, name, change);
  const done = await Promise.race([waitSettled(ns.name, name, 2, describe), monitor.breached]);
  await monitor.stop();
  const after = await setPods(ns.name, name);
  expect(after.map((p) => p.metadata?.uid), `${describe}: pods kept their UIDs\nbefore:\n${showPods(before)}\nafter:\n${showPods(after)}`).toEqual(before.map((p) => p.metadata?.uid));
  for (const p of after) {
    expect(
      { image: imageOf(p), spec: main(p)?.resources, status: mainStatus(p)?.resources, restarts: restartsOf(p), revision: revisionOf(p) },
      `${p.metadata?.name}: ${describe}`,
    ).toEqual({ image: want.image, spec: want.resources, status: want.resources, restarts: want.restarts, revision: done.status!.updateRevision });
  }
  return done;
}

describeFeature('StatefulSet.InPlaceResize', 'in-place cpu/memory resize of Advanced StatefulSet pods', () => {
  let rev1 = '';

  it('resizes cpu and memory in place: same UID, no restart, container status follows', async () => {
    await createSet(ns.name, asts(name, { replicas: 2, resources: ORIGINAL, gates: [INPLACE_READY], updateStrategy: inPlace() }));
    rev1 = (await waitSettled(ns.name, name, 2)).status!.updateRevision!;
    const done = await inPlaceRollout((s) => (mainContainer(s).resources = BIGGER), { image: IMAGE_V1, resources: BIGGER, restarts: 0 }, 'requests 150m/96Mi, limits 300m/192Mi');
    expect(done.status?.updateRevision, showSet(done)).not.toBe(rev1);
  });

  it('changes image and resources together in place', async () => {
    await inPlaceRollout(
      (s) => {
        mainContainer(s).image = IMAGE_V2;
        mainContainer(s).resources = BIGGER_CPU;
      },
      { image: IMAGE_V2, resources: BIGGER_CPU, restarts: 1 },
      'new image and cpu request 200m',
    );
  });

  it('rolls back image and resources in place to the first revision', async () => {
    const back = await inPlaceRollout(
      (s) => {
        mainContainer(s).image = IMAGE_V1;
        mainContainer(s).resources = ORIGINAL;
      },
      { image: IMAGE_V1, resources: ORIGINAL, restarts: 2 },
      'first image and resources again',
    );
    expect(back.status?.updateRevision, `the rollback reuses the first revision\n${showSet(back)}`).toBe(rev1);
  });
});
