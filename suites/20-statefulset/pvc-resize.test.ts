/**
 * Advanced StatefulSet PVC status and auto-resize (spec §3.8, §3.3 VCT update rules, §13.1,
 * §13.2, Appendix B.6). status.volumeClaims lists, per claim template, how many pods' PVCs are
 * compatible (class and access modes equal, request >= template) and ready (capacity >= request).
 * With volumeClaimUpdateStrategy OnPodRollingUpdate on StorageClass `expandable`, raising a
 * template's size expands each pod's PVC when the rolling update reaches the pod, and the pod is
 * updated only after its PVC is expanded; partition is respected; a smaller size is accepted but
 * PVCs never shrink and stay compatible; OnDelete stops further expansion. The local provider's
 * `expandable` / `fixed` classes stand for OpenKruise CI's allow- / disallow-volume-expansion.
 * OpenKruise e2e AppStatefulSetStorage: "Resize PVC" and "Resize PVC only" (recreate / inplace x
 * can / cannot expand x one, two and mixed classes), "Resize PVC with rollback" (partition 2),
 * "should perform rolling updates with specified-deleted with pvc".
 */
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { type InvariantMonitor, isPodReady, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { ASTS, type Obj, PVC, patchObject, waitForAll } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, IMAGE_V3, imageOf, podsOf, waitForStatefulSet } from '../lib/workloads.ts';
import {
  INPLACE_READY,
  type PodRecorder,
  SPECIFIED_DELETE,
  asts,
  claim,
  createSet,
  expectNothingFor,
  inPlace,
  labelPod,
  mainContainer,
  partitionOf,
  recordPods,
  renderClaims,
  revisionOf,
  setPods,
  setStorage,
  showPods,
  showSet,
  storageOf,
  updateSet,
  waitForClaims,
  waitForPodNames,
  waitSettled,
} from './fixtures.ts';

const ns = useNamespace('asts-pvc');

let monitor: InvariantMonitor | undefined;
let recorder: PodRecorder | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  recorder?.stop();
  monitor = recorder = undefined;
});

type Policy = 'ReCreate' | 'InPlaceIfPossible';
/** A set whose claim templates roll with the pods (OnPodRollingUpdate). */
function resizable(name: string, replicas: number, policy: Policy, claims: V1PersistentVolumeClaim[]): Record<string, unknown> {
  return asts(name, {
    replicas,
    claims,
    volumeClaimUpdateStrategy: { type: 'OnPodRollingUpdate' },
    ...(policy === 'InPlaceIfPossible' ? { gates: [INPLACE_READY], updateStrategy: inPlace() } : {}),
  });
}

const pvcName = (vct: string, set: string, ordinal: number) => `${vct}-${set}-${ordinal}`;
const fileSystemResizePending = (c: V1PersistentVolumeClaim | undefined) => (c?.status?.conditions ?? []).some((x) => x.type === 'FileSystemResizePending' && x.status === 'True');
/** Request and capacity both at `size`: the expansion is complete. */
const isSize = (c: V1PersistentVolumeClaim | undefined, size: string) => storageOf(c).request === size && storageOf(c).capacity === size;
const sizes = (m: Map<string, V1PersistentVolumeClaim>, names: string[]) => Object.fromEntries(names.map((n) => [n, storageOf(m.get(n))]));
const claimsOf = (m: Map<string, V1PersistentVolumeClaim>) => renderClaims([...m.values()] as unknown as Obj[]);
type ClaimStatus = { volumeClaimName: string; compatibleReplicas: number; compatibleReadyReplicas: number };
/** status.volumeClaims by name, with only the three fields, so the comparison ignores order. */
const volumeClaims = (entries: ClaimStatus[] | undefined): ClaimStatus[] =>
  [...(entries ?? [])]
    .map(({ volumeClaimName, compatibleReplicas, compatibleReadyReplicas }) => ({ volumeClaimName, compatibleReplicas, compatibleReadyReplicas }))
    .sort((a, b) => a.volumeClaimName.localeCompare(b.volumeClaimName));
const statusClaims = (ns: string, name: string, want: ClaimStatus[], describe: string) =>
  waitForStatefulSet(ns, name, (s) => isDeepStrictEqual(volumeClaims(s.status?.volumeClaims), volumeClaims(want)), `status.volumeClaims ${JSON.stringify(want)}: ${describe}`, timeouts().rolloutComplete);

describeFeature('StatefulSet.VolumeClaimStatus', 'status.volumeClaims counts compatible and ready PVCs per claim template', () => {
  it('lists every claim template with the pods whose PVC is compatible and ready', async () => {
    const name = 'counted';
    await createSet(ns.name, asts(name, { replicas: 2, claims: [claim('data', '1Gi', 'expandable'), claim('logs', '1Gi', 'fixed')] }));
    await waitSettled(ns.name, name, 2);
    await statusClaims(ns.name, name, [
      { volumeClaimName: 'data', compatibleReplicas: 2, compatibleReadyReplicas: 2 },
      { volumeClaimName: 'logs', compatibleReplicas: 2, compatibleReadyReplicas: 2 },
    ], 'two pods, two templates');
    await patchObject(ASTS, ns.name, name, { spec: { replicas: 3 } });
    await waitSettled(ns.name, name, 3);
    await statusClaims(ns.name, name, [
      { volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 },
      { volumeClaimName: 'logs', compatibleReplicas: 3, compatibleReadyReplicas: 3 },
    ], 'scaled to three');
  });
});

describeFeature(['StatefulSet.PVCResize', 'StatefulSet.VolumeClaimStatus'], 'OnPodRollingUpdate expands PVCs as the rollout reaches each pod', () => {
  it('ReCreate, image and size: each PVC is expanded, in place, before its pod is replaced, highest ordinal first', async () => {
    const name = 'grow';
    const names = [0, 1, 2].map((o) => pvcName('data', name, o));
    await createSet(ns.name, resizable(name, 3, 'ReCreate', [claim('data', '1Gi', 'expandable')]));
    await waitSettled(ns.name, name, 3);
    await statusClaims(ns.name, name, [{ volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 }], 'before the change');
    const before = await waitForClaims(ns.name, (m) => names.every((n) => isSize(m.get(n), '1Gi')), 'three bound 1Gi claims');

    // Follow PVCs and pods side by side, on absolute clock readings.
    const expandedAt = new Map<string, number>();
    const requestedAt = new Map<string, number>();
    // The volume's own expansion is done once the claim reports the new capacity or, where the
    // driver still has a node step to do (a real CSI driver), FileSystemResizePending (spec §3.8 step 3).
    const volumeExpandedAt = new Map<string, number>();
    const expansions = waitForClaims(
      ns.name,
      (m) => {
        for (const n of names) {
          if (storageOf(m.get(n)).request === '2Gi' && !requestedAt.has(n)) requestedAt.set(n, performance.now());
          if (isSize(m.get(n), '2Gi') && !expandedAt.has(n)) expandedAt.set(n, performance.now());
          if ((isSize(m.get(n), '2Gi') || (storageOf(m.get(n)).request === '2Gi' && fileSystemResizePending(m.get(n)))) && !volumeExpandedAt.has(n)) volumeExpandedAt.set(n, performance.now());
        }
        return names.every((n) => expandedAt.has(n));
      },
      'every claim expanded to 2Gi',
      timeouts().rolloutComplete,
    );
    expansions.catch(() => {}); // awaited below; keeps an early timeout from counting as unhandled
    recorder = await recordPods(ns.name, podsOf(name));
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 3, minAvailable: 2 }, isUpdated: (p) => imageOf(p) === IMAGE_V2 });
    await updateSet(ns.name, name, (s) => {
      mainContainer(s).image = IMAGE_V2;
      setStorage(s, 'data', '2Gi');
    });
    const after = await Promise.race([expansions, monitor.breached]);
    const done = await Promise.race([waitSettled(ns.name, name, 3, 'every pod replaced at the new image'), monitor.breached]);
    await monitor.stop();
    recorder.stop();

    expect([...requestedAt.entries()].sort((a, b) => a[1] - b[1]).map(([n]) => n), 'claims are expanded in rollout order').toEqual([...names].reverse());
    for (const [o, n] of names.entries()) {
      expect(after.get(n)?.metadata?.uid, `${n} was expanded, not replaced\n${claimsOf(after)}`).toBe(before.get(n)?.metadata?.uid);
      const deleted = recorder.events.find((e) => e.name === `${name}-${o}` && (e.terminating || e.type === 'DELETED'));
      expect(deleted, `${name}-${o} was replaced; timeline:\n${recorder.timeline()}`).toBeDefined();
      // The pod is replaced only after its claim reports the new capacity or FileSystemResizePending
      // (spec §3.8 step 3-4); 500 ms absorbs the skew between the two watches.
      expect(recorder.startedAt + deleted!.atMs + 500, `${name}-${o} was deleted only after ${n} reached 2Gi (or FileSystemResizePending)`).toBeGreaterThanOrEqual(volumeExpandedAt.get(n)!);
    }
    expect(done.status?.volumeClaims, showSet(done)).toEqual([{ volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 }]);
  });

  it('InPlaceIfPossible, image and size: PVCs are expanded and pods updated in place', async () => {
    const name = 'grow-inplace';
    const names = [0, 1].map((o) => pvcName('data', name, o));
    await createSet(ns.name, resizable(name, 2, 'InPlaceIfPossible', [claim('data', '1Gi', 'expandable')]));
    await waitSettled(ns.name, name, 2);
    const pods = await setPods(ns.name, name);
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 2, minAvailable: 1, keepOriginalPods: true }, isUpdated: (p) => imageOf(p) === IMAGE_V2 });
    await updateSet(ns.name, name, (s) => {
      mainContainer(s).image = IMAGE_V2;
      setStorage(s, 'data', '2Gi');
    });
    await Promise.race([waitForClaims(ns.name, (m) => names.every((n) => isSize(m.get(n), '2Gi')), 'both claims at 2Gi', timeouts().rolloutComplete), monitor.breached]);
    const done = await Promise.race([waitSettled(ns.name, name, 2, 'both pods at the new image'), monitor.breached]);
    await monitor.stop();
    const after = await setPods(ns.name, name);
    expect(after.map((p) => [p.metadata?.uid, imageOf(p)]), showPods(after)).toEqual(pods.map((p) => [p.metadata?.uid, IMAGE_V2]));
    expect(done.status?.volumeClaims, showSet(done)).toEqual([{ volumeClaimName: 'data', compatibleReplicas: 2, compatibleReadyReplicas: 2 }]);
  });

  it('size only, two claim templates on `expandable`: every PVC of both is expanded', async () => {
    const name = 'twin';
    const names = ['data0', 'data1'].flatMap((v) => [0, 1].map((o) => pvcName(v, name, o)));
    await createSet(ns.name, resizable(name, 2, 'ReCreate', [claim('data0', '1Gi', 'expandable'), claim('data1', '1Gi', 'expandable')]));
    await waitSettled(ns.name, name, 2);
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 2, minAvailable: 1 }, isUpdated: () => false });
    await updateSet(ns.name, name, (s) => {
      setStorage(s, 'data0', '2Gi');
      setStorage(s, 'data1', '2Gi');
    });
    await Promise.race([waitForClaims(ns.name, (m) => names.every((n) => isSize(m.get(n), '2Gi')), 'four claims at 2Gi', timeouts().rolloutComplete), monitor.breached]);
    await Promise.race([waitSettled(ns.name, name, 2), monitor.breached]);
    await monitor.stop();
    await statusClaims(ns.name, name, [
      { volumeClaimName: 'data0', compatibleReplicas: 2, compatibleReadyReplicas: 2 },
      { volumeClaimName: 'data1', compatibleReplicas: 2, compatibleReadyReplicas: 2 },
    ], 'both templates compatible');
  });

  it('size only, mixed classes, InPlaceIfPossible: the `expandable` template grows in place; growing the `fixed` one is rejected', async () => {
    const name = 'mixed';
    await createSet(ns.name, resizable(name, 2, 'InPlaceIfPossible', [claim('data', '1Gi', 'expandable'), claim('logs', '1Gi', 'fixed')]));
    await waitSettled(ns.name, name, 2);
    await expectRejected(() => updateSet(ns.name, name, (s) => setStorage(s, 'logs', '2Gi')), 'volumeClaimTemplates', 'expanding only the `fixed` template');
    await expectRejected(
      () =>
        updateSet(ns.name, name, (s) => {
          setStorage(s, 'data', '2Gi');
          setStorage(s, 'logs', '2Gi');
        }),
      'volumeClaimTemplates',
      'expanding both templates, one of them on `fixed`',
    );
    const pods = await setPods(ns.name, name);
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf(name), bounds: { maxPods: 2, minAvailable: 1, keepOriginalPods: true }, isUpdated: () => false });
    await updateSet(ns.name, name, (s) => setStorage(s, 'data', '2Gi'));
    const data = [0, 1].map((o) => pvcName('data', name, o));
    const logs = [0, 1].map((o) => pvcName('logs', name, o));
    const m = await Promise.race([waitForClaims(ns.name, (x) => data.every((n) => isSize(x.get(n), '2Gi')), 'data claims at 2Gi', timeouts().rolloutComplete), monitor.breached]);
    expect(sizes(m, logs), `logs claims untouched\n${claimsOf(m)}`).toEqual(Object.fromEntries(logs.map((n) => [n, { request: '1Gi', capacity: '1Gi' }])));
    await Promise.race([waitSettled(ns.name, name, 2), monitor.breached]);
    await monitor.stop();
    const after = await setPods(ns.name, name);
    expect(after.map((p) => p.metadata?.uid), `a size-only change under InPlaceIfPossible keeps the pods\n${showPods(after)}`).toEqual(pods.map((p) => p.metadata?.uid));
    await statusClaims(ns.name, name, [
      { volumeClaimName: 'data', compatibleReplicas: 2, compatibleReadyReplicas: 2 },
      { volumeClaimName: 'logs', compatibleReplicas: 2, compatibleReadyReplicas: 2 },
    ], 'both templates compatible');
  });
});

describeFeature(['StatefulSet.PVCResize', 'StatefulSet.VolumeClaimStatus'], 'PVC expansion with partition, rollback and OnDelete', () => {
  /** Image V2, data 2Gi, partition 2 of 3: only ordinal 2 and its PVC move. */
  async function canary(name: string): Promise<string> {
    await createSet(ns.name, resizable(name, 3, 'ReCreate', [claim('data', '1Gi', 'expandable')]));
    const initial = await waitSettled(ns.name, name, 3);
    await updateSet(ns.name, name, (s) => {
      mainContainer(s).image = IMAGE_V2;
      setStorage(s, 'data', '2Gi');
      partitionOf(s, 2);
    });
    const names = [0, 1, 2].map((o) => pvcName('data', name, o));
    const m = await waitForClaims(ns.name, (x) => isSize(x.get(names[2]!), '2Gi'), `${names[2]} at 2Gi`, timeouts().rolloutComplete);
    expect(sizes(m, names.slice(0, 2)), `below the partition the claims keep 1Gi\n${claimsOf(m)}`).toEqual({ [names[0]!]: { request: '1Gi', capacity: '1Gi' }, [names[1]!]: { request: '1Gi', capacity: '1Gi' } });
    const s = await statusClaims(ns.name, name, [{ volumeClaimName: 'data', compatibleReplicas: 1, compatibleReadyReplicas: 1 }], 'one claim of three compatible with 2Gi');
    await waitForPodNames(ns.name, name, [0, 1, 2].map((o) => `${name}-${o}`), (p) => isPodReady(p) && imageOf(p) === (p.metadata?.name === `${name}-2` ? IMAGE_V2 : IMAGE_V1), 'only ordinal 2 at the new image');
    expect(s.status?.updateRevision, showSet(s)).not.toBe(initial.status?.updateRevision);
    return initial.status!.updateRevision!;
  }
  const smallerNeverGrow = (name: string) =>
    expectNothingFor(
      waitForAll<V1PersistentVolumeClaim & Obj>(PVC, ns.name, undefined, (items) => items.some((c) => [0, 1].some((o) => c.metadata.name === pvcName('data', name, o)) && storageOf(c).request !== '1Gi'), {
        timeoutMs: timeouts().steadyState,
        describe: 'a claim below the partition expanded',
        namespace: ns.name,
        render: renderClaims,
      }),
      'a claim below the partition was expanded',
      (items) => renderClaims(items),
    );

  it('partition 2 of 3: only the highest PVC grows; specified-delete below the partition does not expand; rolling back image and size is accepted, nothing shrinks and every PVC stays compatible', async () => {
    const name = 'part';
    const rev1 = await canary(name);
    await smallerNeverGrow(name);

    const pvc0 = await kube().core.readNamespacedPersistentVolumeClaim({ name: pvcName('data', name, 0), namespace: ns.name });
    const pod0 = (await setPods(ns.name, name))[0]!;
    await labelPod(ns.name, `${name}-0`, { [SPECIFIED_DELETE]: 'true' });
    const pods = await waitForPodNames(ns.name, name, [0, 1, 2].map((o) => `${name}-${o}`), (p) => isPodReady(p) && (p.metadata?.name !== `${name}-0` || p.metadata.uid !== pod0.metadata?.uid), `${name}-0 replaced`);
    expect(revisionOf(pods[0]!), `${name}-0 comes back at the current revision\n${showPods(pods)}`).toBe(rev1);
    const m0 = await waitForClaims(ns.name, (x) => !!x.get(pvc0.metadata!.name!), 'data-part-0 present');
    expect({ uid: m0.get(pvc0.metadata!.name!)?.metadata?.uid, ...storageOf(m0.get(pvc0.metadata!.name!)) }, 'the replaced pod below the partition keeps its 1Gi claim').toEqual({ uid: pvc0.metadata?.uid, request: '1Gi', capacity: '1Gi' });
    await statusClaims(ns.name, name, [{ volumeClaimName: 'data', compatibleReplicas: 1, compatibleReadyReplicas: 1 }], 'still one compatible claim');

    // Roll back image and size: the webhook accepts the smaller size (spec §13.2).
    await updateSet(ns.name, name, (s) => {
      mainContainer(s).image = IMAGE_V1;
      setStorage(s, 'data', '1Gi');
      partitionOf(s, 0);
    });
    const back = await waitSettled(ns.name, name, 3, 'rolled back: every pod at the first image');
    expect(back.status?.updateRevision, showSet(back)).toBe(rev1);
    await statusClaims(ns.name, name, [{ volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 }], 'a larger claim is compatible with a smaller template');
    const names = [0, 1, 2].map((o) => pvcName('data', name, o));
    const m = await waitForClaims(ns.name, (x) => names.every((n) => !!x.get(n)), 'three claims');
    expect(sizes(m, names), `PVCs are never shrunk\n${claimsOf(m)}`).toEqual({ [names[0]!]: { request: '1Gi', capacity: '1Gi' }, [names[1]!]: { request: '1Gi', capacity: '1Gi' }, [names[2]!]: { request: '2Gi', capacity: '2Gi' } });

    await updateSet(ns.name, name, (s) => (mainContainer(s).image = IMAGE_V3));
    await waitSettled(ns.name, name, 3, 'a further image rolls out');
    await statusClaims(ns.name, name, [{ volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 }], 'still compatible after the next rollout');
  });

  it('rolling back only the image keeps the new size: the rollout expands the remaining PVCs, and a further expansion continues', async () => {
    const name = 'keep';
    const names = [0, 1, 2].map((o) => pvcName('data', name, o));
    await canary(name);
    await updateSet(ns.name, name, (s) => {
      mainContainer(s).image = IMAGE_V1;
      partitionOf(s, 0);
    });
    await waitForClaims(ns.name, (m) => names.every((n) => isSize(m.get(n), '2Gi')), 'every claim at 2Gi', timeouts().rolloutComplete);
    await waitSettled(ns.name, name, 3, 'every pod at the first image');
    await statusClaims(ns.name, name, [{ volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 }], 'all expanded');

    await updateSet(ns.name, name, (s) => setStorage(s, 'data', '3Gi'));
    await waitForClaims(ns.name, (m) => names.every((n) => isSize(m.get(n), '3Gi')), 'every claim at 3Gi', timeouts().rolloutComplete);
    await waitSettled(ns.name, name, 3);
    await statusClaims(ns.name, name, [{ volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 }], 'all expanded again');
  });

  it('switching to OnDelete stops expansion; status keeps counting the smaller PVCs as incompatible', async () => {
    const name = 'halt';
    await canary(name);
    await updateSet(ns.name, name, (s) => {
      mainContainer(s).image = IMAGE_V1;
      partitionOf(s, 0);
      s.spec.volumeClaimUpdateStrategy = { type: 'OnDelete' };
    });
    await waitSettled(ns.name, name, 3, 'every pod at the first image');
    await smallerNeverGrow(name);
    await statusClaims(ns.name, name, [{ volumeClaimName: 'data', compatibleReplicas: 1, compatibleReadyReplicas: 1 }], 'only the expanded claim is compatible');

    await updateSet(ns.name, name, (s) => (mainContainer(s).image = IMAGE_V3));
    await waitSettled(ns.name, name, 3, 'a further image rolls out');
    await smallerNeverGrow(name);
    await statusClaims(ns.name, name, [{ volumeClaimName: 'data', compatibleReplicas: 1, compatibleReadyReplicas: 1 }], 'still one compatible claim');
  });
});
