/**
 * In-place updates (spec digest §1.3 engine, §2.3 InPlaceOnly rules, §2.12, §13.9, Appendix B.2;
 * OpenKruise e2e "in-place update images ..." adapted: the substrate gives each image its own
 * imageID, so the same-imageID case is not reproducible here).
 * InPlaceIfPossible: an image change keeps the pod (UID, name, IP, node), restarts the container
 * once, flips InPlaceUpdateReady False (StartInPlaceUpdate) then True, and records
 * apps.kruise.io/inplace-update-state; a labels/annotations-only change is patched onto the pods
 * without a restart; gracePeriodSeconds delays the image change. Any other change recreates.
 * InPlaceOnly: image and metadata changes in place; other template changes are rejected.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { type InvariantMonitor, isPodReady, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import type { CloneSet, CloneSetSpec } from '../lib/kinds.ts';
import { IMAGE_V1, IMAGE_V2, cloneSetSettled, imageOf, podsOf, renderStatus, waitForCloneSet } from '../lib/workloads.ts';
import {
  INPLACE_READY,
  INPLACE_STATE_ANNOTATION,
  LIFECYCLE_STATE_LABEL,
  REVISION_LABEL,
  TEMPLATE_HASH_LABEL,
  cloneSetWith,
  conditionOf,
  describePods,
  hashSuffix,
  jsonPatchCloneSet,
  listPods,
  mainStatus,
  recordPods,
  revisionOf,
  setImage,
  settledPods,
  uidsOf,
  waitPods,
  watched,
} from './fixtures.ts';

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

type Strategy = NonNullable<CloneSetSpec['updateStrategy']>;

interface Before {
  uid: string;
  name: string;
  ip?: string;
  node?: string;
  imageID?: string;
  restarts: number;
}

function snapshot(pods: readonly V1Pod[]): Map<string, Before> {
  return new Map(
    pods.map((p) => [
      p.metadata!.uid!,
      { uid: p.metadata!.uid!, name: p.metadata!.name!, ip: p.status?.podIP, node: p.spec?.nodeName, imageID: mainStatus(p)?.imageID, restarts: mainStatus(p)?.restartCount ?? 0 },
    ]),
  );
}

/** Create, settle, and return the pods as they were before any update. */
async function settle(ns: string, name: string, replicas: number, updateStrategy: Strategy, extra: Record<string, unknown> = {}): Promise<{ cs: CloneSet; pods: V1Pod[] }> {
  await createObject(CLONESET, ns, cloneSetWith(name, { replicas, updateStrategy, ...extra }));
  const cs = await waitForCloneSet(ns, name, cloneSetSettled(replicas), `${replicas} pods Ready`, timeouts().podsReady);
  const pods = await waitPods(ns, name, settledPods(replicas, isPodReady), `${replicas} Ready pods`);
  return { cs, pods };
}

async function newRevision(ns: string, name: string, old: string | undefined): Promise<string> {
  const cs = await waitForCloneSet(ns, name, (c) => !!c.status?.updateRevision && c.status.updateRevision !== old, 'a new updateRevision');
  return cs.status!.updateRevision!;
}

describeFeature('CloneSet.InPlaceUpdate', 'InPlaceIfPossible updates pods in place', () => {
  const ns = useNamespace('cs-inplace');

  it('an image change keeps UID, name, IP and node, restarts the container once and records the in-place state', async () => {
    const { cs, pods } = await settle(ns.name, 'img', 3, { type: 'InPlaceIfPossible' });
    const before = snapshot(pods);
    const recorder = await recordPods(ns.name, 'img');
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf('img'), bounds: { maxPods: 3, minAvailable: 2, keepOriginalPods: true }, isUpdated: (p) => imageOf(p) === IMAGE_V2 });
    await setImage(ns.name, 'img', IMAGE_V2);
    const rev = await newRevision(ns.name, 'img', cs.status?.updateRevision);
    const done = await watched(monitor, waitForCloneSet(ns.name, 'img', cloneSetSettled(3), 'all 3 pods updated in place and Ready'));
    const after = await watched(monitor, waitPods(ns.name, 'img', settledPods(3, (p) => isPodReady(p) && mainStatus(p)?.image === IMAGE_V2 && p.metadata?.labels?.[LIFECYCLE_STATE_LABEL] === 'Normal'), '3 Ready pods running the new image, back in state Normal'));
    await monitor.stop();
    recorder.stop();

    for (const p of after) {
      const b = before.get(p.metadata!.uid!);
      expect(b, `pod ${p.metadata?.name} is one of the originals (UID kept):\n${describePods(after)}`).toBeDefined();
      expect({ name: p.metadata?.name, ip: p.status?.podIP, node: p.spec?.nodeName }, `identity of ${b!.name}`).toEqual({ name: b!.name, ip: b!.ip, node: b!.node });
      expect(mainStatus(p)?.restartCount, `restartCount of ${b!.name}`).toBe(b!.restarts + 1);
      expect(mainStatus(p)?.imageID, `imageID of ${b!.name} changed`).not.toBe(b!.imageID);
      expect(conditionOf(p, INPLACE_READY)?.status, `${INPLACE_READY} of ${b!.name} at the end`).toBe('True');
      const labels = p.metadata?.labels ?? {};
      expect({ rev: labels[REVISION_LABEL], hash: labels[TEMPLATE_HASH_LABEL], state: labels[LIFECYCLE_STATE_LABEL] }, `labels of ${b!.name}`).toEqual({ rev, hash: hashSuffix(rev), state: 'Normal' });

      const raw = p.metadata?.annotations?.[INPLACE_STATE_ANNOTATION];
      expect(raw, `${INPLACE_STATE_ANNOTATION} on ${b!.name}`).toBeTruthy();
      const state = JSON.parse(raw!) as { revision?: string; updateTimestamp?: string; lastContainerStatuses?: Record<string, { imageID?: string }> };
      expect({ revision: state.revision, lastImageID: state.lastContainerStatuses?.main?.imageID, hasTimestamp: !!state.updateTimestamp }, `in-place state of ${b!.name}: ${raw}`).toEqual({
        revision: rev,
        lastImageID: b!.imageID,
        hasTimestamp: true,
      });

      // InPlaceUpdateReady went False (StartInPlaceUpdate) before the container restarted.
      const history = recorder.of(p.metadata!.uid!);
      const notReady = history.find((r) => conditionOf(r.pod, INPLACE_READY)?.status === 'False');
      expect(notReady && conditionOf(notReady.pod, INPLACE_READY)?.reason, `${INPLACE_READY} False with its reason during the update of ${b!.name}`).toBe('StartInPlaceUpdate');
      const restarted = history.find((r) => (mainStatus(r.pod)?.restartCount ?? 0) > b!.restarts);
      expect(restarted, `the restart of ${b!.name} was seen`).toBeDefined();
      expect(notReady!.atMs <= restarted!.atMs, `${INPLACE_READY} False was seen no later than the restart of ${b!.name}`).toBe(true);
    }
    expect(done.status, renderStatus(done)).toMatchObject({ replicas: 3, updatedReplicas: 3, updatedReadyReplicas: 3, currentRevision: rev, updateRevision: rev });
  });

  it('a labels/annotations-only template change is applied to the running pods without a restart', async () => {
    const { cs, pods } = await settle(ns.name, 'meta', 2, { type: 'InPlaceIfPossible' });
    const before = snapshot(pods);
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf('meta'), bounds: { maxPods: 2, keepOriginalPods: true }, isUpdated: (p) => p.metadata?.labels?.tier === 'gold' });
    await jsonPatchCloneSet(ns.name, 'meta', [
      { op: 'add', path: '/spec/template/metadata/labels/tier', value: 'gold' },
      { op: 'add', path: '/spec/template/metadata/annotations', value: { 'example.com/note': 'v2' } },
    ]);
    const rev = await newRevision(ns.name, 'meta', cs.status?.updateRevision);
    await watched(monitor, waitForCloneSet(ns.name, 'meta', cloneSetSettled(2), 'both pods at the new revision and Ready'));
    const after = await watched(
      monitor,
      waitPods(ns.name, 'meta', settledPods(2, (p) => revisionOf(p) === rev && p.metadata?.labels?.tier === 'gold' && p.metadata?.annotations?.['example.com/note'] === 'v2'), 'the new label and annotation on both pods'),
    );
    await monitor.stop();
    for (const p of after) {
      const b = before.get(p.metadata!.uid!);
      expect(b, `pod ${p.metadata?.name} is an original:\n${describePods(after)}`).toBeDefined();
      expect(mainStatus(p)?.restartCount, `no restart of ${b!.name} for a metadata change`).toBe(b!.restarts);
    }
  });

  it('gracePeriodSeconds delays the image change after InPlaceUpdateReady goes False', async () => {
    const { cs, pods } = await settle(ns.name, 'grace', 1, { type: 'InPlaceIfPossible', inPlaceUpdateStrategy: { gracePeriodSeconds: 3 } });
    const uid = pods[0]!.metadata!.uid!;
    const recorder = await recordPods(ns.name, 'grace');
    await setImage(ns.name, 'grace', IMAGE_V2);
    await newRevision(ns.name, 'grace', cs.status?.updateRevision);
    await waitForCloneSet(ns.name, 'grace', cloneSetSettled(1), 'the pod updated and Ready');
    recorder.stop();
    const history = recorder.of(uid);
    const notReady = history.find((r) => conditionOf(r.pod, INPLACE_READY)?.status === 'False');
    const imageChanged = history.find((r) => imageOf(r.pod) === IMAGE_V2);
    expect(notReady && imageChanged, `both the not-ready mark and the image change were seen on the same pod (UID ${uid})`).toBeTruthy();
    expect(imageChanged!.atMs - notReady!.atMs, 'ms between InPlaceUpdateReady False and the image change (gracePeriodSeconds 3)').toBeGreaterThanOrEqual(2000);
  });
});

describeFeature('CloneSet.InPlaceFallback', 'InPlaceIfPossible recreates pods for changes it cannot apply in place', () => {
  const ns = useNamespace('cs-fallback');

  it('an env change recreates every pod', async () => {
    const { cs, pods } = await settle(ns.name, 'env', 2, { type: 'InPlaceIfPossible' });
    await jsonPatchCloneSet(ns.name, 'env', [{ op: 'add', path: '/spec/template/spec/containers/0/env', value: [{ name: 'MODE', value: 'two' }] }]);
    const rev = await newRevision(ns.name, 'env', cs.status?.updateRevision);
    await waitForCloneSet(ns.name, 'env', cloneSetSettled(2), 'both pods at the new revision and Ready');
    const after = await waitPods(ns.name, 'env', settledPods(2, (p) => isPodReady(p) && revisionOf(p) === rev), '2 Ready pods at the new revision');
    expect([...uidsOf(after)].filter((u) => uidsOf(pods).has(u)), `no original pod survives an env change:\n${describePods(after)}`).toEqual([]);
    expect(after.every((p) => p.spec?.containers[0]?.env?.some((e) => e.name === 'MODE' && e.value === 'two') && imageOf(p) === IMAGE_V1), describePods(after)).toBe(true);
  });

  it('an image change together with a non-image change recreates every pod', async () => {
    const { cs, pods } = await settle(ns.name, 'mixed', 2, { type: 'InPlaceIfPossible' });
    await jsonPatchCloneSet(ns.name, 'mixed', [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: IMAGE_V2 },
      { op: 'add', path: '/spec/template/spec/containers/0/args', value: ['--mode=two'] },
    ]);
    const rev = await newRevision(ns.name, 'mixed', cs.status?.updateRevision);
    await waitForCloneSet(ns.name, 'mixed', cloneSetSettled(2), 'both pods at the new revision and Ready');
    const after = await waitPods(ns.name, 'mixed', settledPods(2, (p) => isPodReady(p) && revisionOf(p) === rev), '2 Ready pods at the new revision');
    expect([...uidsOf(after)].filter((u) => uidsOf(pods).has(u)), `no original pod survives:\n${describePods(after)}`).toEqual([]);
    expect(after.every((p) => imageOf(p) === IMAGE_V2 && (mainStatus(p)?.restartCount ?? 0) === 0), `fresh pods on the new image:\n${describePods(after)}`).toBe(true);
  });
});

describeFeature('CloneSet.InPlaceOnly', 'InPlaceOnly allows only in-place changes', () => {
  const ns = useNamespace('cs-inplaceonly');

  it('rejects maxSurge with InPlaceOnly', async () => {
    await expectRejected(
      () => createObject(CLONESET, ns.name, cloneSetWith('surge', { replicas: 5, updateStrategy: { type: 'InPlaceOnly', maxSurge: '20%' } }), { dryRun: true }),
      'spec.updateStrategy.maxSurge',
      'InPlaceOnly with maxSurge 20% of 5',
    );
  });

  it('an image change and a template annotation change are applied in place', async () => {
    const { cs, pods } = await settle(ns.name, 'only', 2, { type: 'InPlaceOnly' });
    const before = snapshot(pods);
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf('only'), bounds: { maxPods: 2, keepOriginalPods: true }, isUpdated: (p) => imageOf(p) === IMAGE_V2 });
    await jsonPatchCloneSet(ns.name, 'only', [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: IMAGE_V2 },
      { op: 'add', path: '/spec/template/metadata/annotations', value: { 'example.com/note': 'v2' } },
    ]);
    await newRevision(ns.name, 'only', cs.status?.updateRevision);
    await watched(monitor, waitForCloneSet(ns.name, 'only', cloneSetSettled(2), 'both pods updated and Ready'));
    const after = await watched(monitor, waitPods(ns.name, 'only', settledPods(2, (p) => isPodReady(p) && mainStatus(p)?.image === IMAGE_V2), 'both pods running the new image'));
    await monitor.stop();
    for (const p of after) {
      const b = before.get(p.metadata!.uid!);
      expect(b, `pod ${p.metadata?.name} is an original:\n${describePods(after)}`).toBeDefined();
      expect({ restarts: mainStatus(p)?.restartCount, note: p.metadata?.annotations?.['example.com/note'] }, `pod ${b!.name}`).toEqual({ restarts: b!.restarts + 1, note: 'v2' });
    }
  });

  it('rejects an env change', async () => {
    const msg = await expectRejected(() => jsonPatchCloneSet(ns.name, 'only', [{ op: 'add', path: '/spec/template/spec/containers/0/env', value: [{ name: 'MODE', value: 'two' }] }]), 'spec', 'InPlaceOnly env change');
    expect(msg, 'the rejection names the changed field').toMatch(/containers(\/0\/|\[0\]\.)env/);
  });

  it('rejects a cpu change, even with in-place vertical scaling', async () => {
    const msg = await expectRejected(
      () => jsonPatchCloneSet(ns.name, 'only', [{ op: 'replace', path: '/spec/template/spec/containers/0/resources/requests/cpu', value: '150m' }]),
      'spec',
      'InPlaceOnly cpu request change',
    );
    expect(msg, 'the rejection names the changed field').toMatch(/containers(\/0\/|\[0\]\.)resources/);
  });
});
