/**
 * Advanced StatefulSet persistentVolumeClaimRetentionPolicy (spec §3.2, §3.4 retention
 * ownerRefs): Retain keeps PVCs across scale-down and reuses them on scale-up; whenDeleted Delete
 * makes the set own its PVCs so they go with it; whenScaled Delete removes the PVCs of ordinals
 * that are scaled away, reserved ordinals included. OpenKruise e2e "Non-retain
 * StatefulSetPersistentVolumeClaimPolicy": WhenDeleted, OnScaledown, OnScaledown with
 * reserveOrdinals=[0,2-5].
 */
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { ASTS, type Obj, PVC, deleteObject, patchObject, waitForAll } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import type { StatefulSetSpec } from '../lib/kinds.ts';
import { asts, claim, createSet, expectNothingFor, renderClaims, waitForClaims, waitForPodNames, waitSettled } from './fixtures.ts';

const ns = useNamespace('asts-retain');
type Policy = NonNullable<StatefulSetSpec['persistentVolumeClaimRetentionPolicy']>;

const claimName = (set: string, o: number) => `data-${set}-${o}`;
/** Wait until the set's PVCs are exactly those of `ordinals`, none terminating. */
const claimsExactly = (set: string, ordinals: number[], describe: string) =>
  waitForClaims(
    ns.name,
    (m) => {
      const ours = [...m.values()].filter((c) => c.metadata?.name?.startsWith(`data-${set}-`) && !c.metadata.deletionTimestamp);
      return ours.length === ordinals.length && ordinals.every((o) => m.get(claimName(set, o))?.status?.phase === 'Bound' && !m.get(claimName(set, o))?.metadata?.deletionTimestamp);
    },
    `${set}: exactly the claims of ordinals [${ordinals.join(', ')}] (${describe})`,
    timeouts().rolloutComplete,
  ).then((m) => new Map([...m].filter(([n]) => n.startsWith(`data-${set}-`))));
const uids = (m: Map<string, V1PersistentVolumeClaim>) => new Map([...m].map(([n, c]) => [n, c.metadata?.uid]));
const show = (m: Map<string, V1PersistentVolumeClaim>) => renderClaims([...m.values()] as unknown as Obj[]);

function retained(set: string, replicas: number, policy?: Policy, extra: Partial<StatefulSetSpec> = {}): Record<string, unknown> {
  return asts(set, { replicas, podManagementPolicy: 'Parallel', claims: [claim('data')], ...(policy ? { persistentVolumeClaimRetentionPolicy: policy } : {}), ...extra });
}

describeFeature('StatefulSet.PVCRetention', 'persistentVolumeClaimRetentionPolicy', () => {
  it('Retain (the default) keeps the PVCs of removed ordinals, with no owner, and reuses them on scale-up', async () => {
    const set = 'kept';
    await createSet(ns.name, retained(set, 3));
    await waitSettled(ns.name, set, 3);
    const first = await claimsExactly(set, [0, 1, 2], 'after creation');
    for (const c of first.values()) expect(c.metadata?.ownerReferences ?? [], `Retain/Retain: no ownerReferences\n${show(first)}`).toEqual([]);

    await patchObject(ASTS, ns.name, set, { spec: { replicas: 1 } });
    await waitForPodNames(ns.name, set, [`${set}-0`], isPodReady, 'scaled to 1');
    await expectNothingFor(
      waitForAll<V1PersistentVolumeClaim & Obj>(PVC, ns.name, undefined, (items) => [1, 2].some((o) => { const c = items.find((x) => x.metadata.name === claimName(set, o)); return !c || !!c.metadata.deletionTimestamp; }), {
        timeoutMs: timeouts().steadyState,
        describe: 'a retained claim deleted',
        namespace: ns.name,
        render: renderClaims,
      }),
      'Retain: a PVC of a removed ordinal was deleted',
      (items) => renderClaims(items),
    );

    await patchObject(ASTS, ns.name, set, { spec: { replicas: 3 } });
    await waitSettled(ns.name, set, 3);
    const again = await claimsExactly(set, [0, 1, 2], 'after scaling back');
    expect(uids(again), `scaled-up pods reuse their old claims\n${show(again)}`).toEqual(uids(first));
  });

  it('whenDeleted Delete: the set owns its PVCs and they are deleted with it', async () => {
    const set = 'owned';
    const created = await createSet(ns.name, retained(set, 2, { whenDeleted: 'Delete', whenScaled: 'Retain' }));
    await waitSettled(ns.name, set, 2);
    const m = await waitForClaims(
      ns.name,
      (x) => [0, 1].every((o) => x.get(claimName(set, o))?.metadata?.ownerReferences?.some((r) => r.kind === 'StatefulSet' && r.uid === created.metadata.uid)),
      `${set}: both claims owned by the set`,
      timeouts().statusSync,
    );
    const owner = m.get(claimName(set, 0))!.metadata!.ownerReferences!.find((r) => r.kind === 'StatefulSet')!;
    expect({ name: owner.name, group: owner.apiVersion.split('/')[0] }, show(m)).toEqual({ name: set, group: 'apps.kruise.io' });

    await deleteObject(ASTS, ns.name, set);
    await claimsExactly(set, [], 'the set was deleted');
  });

  it('whenScaled Delete: PVCs of ordinals scaled away are deleted, and scaling up creates new ones', async () => {
    const set = 'trimmed';
    await createSet(ns.name, retained(set, 3, { whenDeleted: 'Retain', whenScaled: 'Delete' }));
    await waitSettled(ns.name, set, 3);
    const first = await claimsExactly(set, [0, 1, 2], 'after creation');

    await patchObject(ASTS, ns.name, set, { spec: { replicas: 1 } });
    const kept = await claimsExactly(set, [0], 'scaled to 1');
    expect(kept.get(claimName(set, 0))?.metadata?.uid, 'the claim of the remaining ordinal stays').toBe(first.get(claimName(set, 0))?.metadata?.uid);

    await patchObject(ASTS, ns.name, set, { spec: { replicas: 3 } });
    await waitSettled(ns.name, set, 3);
    const fresh = await claimsExactly(set, [0, 1, 2], 'scaled back to 3');
    for (const o of [1, 2]) expect(fresh.get(claimName(set, o))?.metadata?.uid, `${claimName(set, o)} is a new claim\n${show(fresh)}`).not.toBe(first.get(claimName(set, o))?.metadata?.uid);
  });

  it('whenScaled Delete with reserveOrdinals [0, 2-5]: pods 1, 6, 7, and scaling to 1 keeps only the claim of ordinal 1', async () => {
    const set = 'gapped';
    await createSet(ns.name, retained(set, 3, { whenDeleted: 'Retain', whenScaled: 'Delete' }, { reserveOrdinals: [0, '2-5'] }));
    await waitForPodNames(ns.name, set, [1, 6, 7].map((o) => `${set}-${o}`), isPodReady, 'ordinals 1, 6, 7');
    await claimsExactly(set, [1, 6, 7], 'after creation');
    await patchObject(ASTS, ns.name, set, { spec: { replicas: 1 } });
    await waitForPodNames(ns.name, set, [`${set}-1`], isPodReady, 'scaled to 1');
    await claimsExactly(set, [1], 'scaled to 1');
  });
});
