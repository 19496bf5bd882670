import { describe, expect, it } from 'vitest';
import { replicasRange } from './ordinals.ts';
import {
  areClaimsMatched,
  areClaimsReady,
  areExpansionsCompleted,
  claimCompatibility,
  claimMatches,
  desiredClaimOwnerRefs,
  isExpansionCompleted,
  isPodClaimStale,
  planClaimExpansion,
  planClaimOwnerFixes,
  volumeClaimsStatus,
} from './pvc.ts';
import { SET, SET_UID, STORAGE_CLASSES, claim, gates, lookup, spec, template } from './test/builders.ts';
import type { ClaimView, OwnerRefView, RetentionPolicy } from './types.ts';

describe('claim compatibility (IsPVCCompatibleAndReady, CompareWithCheckFn)', () => {
  const t = template({ requestStorage: '2Gi' });
  it.each<[string, ClaimView, { compatible: boolean; ready: boolean }, boolean, boolean]>([
    ['same size, bound', claim(0, { requestStorage: '2Gi' }), { compatible: true, ready: true }, true, true],
    ['smaller: needs expansion', claim(0, { requestStorage: '1Gi' }), { compatible: false, ready: true }, false, false],
    ['expanded, capacity not yet', claim(0, { requestStorage: '2Gi', capacityStorage: '1Gi' }), { compatible: true, ready: false }, true, false],
    ['expanded, filesystem resize pending', claim(0, { requestStorage: '2Gi', capacityStorage: '1Gi', fileSystemResizePending: true }), { compatible: true, ready: false }, true, true],
    ['larger than the template (shrink never applied) stays compatible', claim(0, { requestStorage: '3Gi' }), { compatible: true, ready: true }, true, true],
    ['2048Mi equals 2Gi', claim(0, { requestStorage: '2048Mi' }), { compatible: true, ready: true }, true, true],
    ['other storage class', claim(0, { requestStorage: '2Gi', storageClassName: 'fixed' }), { compatible: false, ready: false }, false, false],
    ['claim without class (template names one) still compatible', claim(0, { requestStorage: '2Gi', storageClassName: undefined }), { compatible: true, ready: true }, true, true],
    ['other access modes', claim(0, { requestStorage: '2Gi', accessModes: ['ReadWriteMany'] }), { compatible: false, ready: false }, false, false],
    ['access modes in another order', claim(0, { requestStorage: '2Gi', accessModes: ['ReadOnlyMany', 'ReadWriteOnce'] }), { compatible: false, ready: false }, false, false],
    ['no capacity reported yet', claim(0, { requestStorage: '2Gi', capacityStorage: undefined }), { compatible: true, ready: false }, true, false],
  ])('%s', (_n, c, compat, matched, completed) => {
    expect(claimCompatibility(c, t)).toEqual(compat);
    expect(claimMatches(c, t)).toBe(matched);
    expect(isExpansionCompleted(c, t)).toBe(completed);
  });

  it('template with multiple modes must match exactly', () => {
    const t2 = template({ accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] });
    expect(claimCompatibility(claim(0, { accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] }), t2).compatible).toBe(true);
  });
});

describe('per-pod claim checks skip missing and terminating claims', () => {
  const templates = [template({ requestStorage: '2Gi' }), template({ name: 'logs', requestStorage: '1Gi' })];
  it.each<[string, ClaimView[], { ready: boolean; matched: boolean; completed: boolean }]>([
    ['no claims at all', [], { ready: true, matched: true, completed: true }],
    ['data small, logs ok', [claim(0, { requestStorage: '1Gi' }), claim(0, { template: 'logs' })], { ready: true, matched: false, completed: false }],
    ['data expanded waiting for capacity', [claim(0, { requestStorage: '2Gi', capacityStorage: '1Gi' }), claim(0, { template: 'logs' })], { ready: false, matched: true, completed: false }],
    ['terminating small claim ignored', [claim(0, { requestStorage: '1Gi', terminating: true })], { ready: true, matched: true, completed: true }],
  ])('%s', (_n, claims, want) => {
    const l = lookup(claims);
    expect({ ready: areClaimsReady(SET, 0, templates, l), matched: areClaimsMatched(SET, 0, templates, l), completed: areExpansionsCompleted(SET, 0, templates, l) }).toEqual(want);
  });
});

describe('volumeClaimsStatus', () => {
  it('spec example: partition 2 of 3, only ordinal 2 grew -> compatibleReplicas 1', () => {
    const claims = [claim(0), claim(1), claim(2, { requestStorage: '2Gi', capacityStorage: '2Gi' })];
    expect(volumeClaimsStatus(SET, [0, 1, 2], [template({ requestStorage: '2Gi' })], lookup(claims))).toEqual([
      { volumeClaimName: 'data', compatibleReplicas: 1, compatibleReadyReplicas: 1 },
    ]);
  });

  it('counts compatible-but-not-ready, skips missing/terminating claims, one entry per template', () => {
    const claims = [
      claim(0, { requestStorage: '2Gi', capacityStorage: '1Gi' }),
      claim(1, { requestStorage: '2Gi', terminating: true }),
      claim(2, { requestStorage: '4Gi' }),
      claim(0, { template: 'logs' }),
    ];
    expect(volumeClaimsStatus(SET, [0, 1, 2, 3], [template({ requestStorage: '2Gi' }), template({ name: 'logs' })], lookup(claims))).toEqual([
      { volumeClaimName: 'data', compatibleReplicas: 2, compatibleReadyReplicas: 1 },
      { volumeClaimName: 'logs', compatibleReplicas: 1, compatibleReadyReplicas: 1 },
    ]);
  });

  it('no templates -> empty list', () => expect(volumeClaimsStatus(SET, [0], [], lookup([]))).toEqual([]));
});

describe('planClaimExpansion (TryPatchPVC)', () => {
  const grow = [template({ requestStorage: '2Gi' })];
  it.each<[string, ClaimView[], ReturnType<typeof planClaimExpansion>]>([
    ['matched: nothing to do', [claim(0, { requestStorage: '2Gi' })], { ok: true, expansions: [] }],
    ['smaller on an expandable class: expand', [claim(0)], { ok: true, expansions: [{ claim: 'data-web-0', template: 'data' }] }],
    ['claim without a class: expand (no class to check)', [claim(0, { storageClassName: undefined })], { ok: true, expansions: [{ claim: 'data-web-0', template: 'data' }] }],
    [
      'class with allowVolumeExpansion false: refused',
      [claim(0, { storageClassName: 'fixed' })],
      { ok: false, claim: 'data-web-0', reason: 'expansionNotAllowed', message: 'storage class fixed for web-0 does not support volume expansion' },
    ],
    [
      'class with allowVolumeExpansion unset: refused at runtime',
      [claim(0, { storageClassName: 'unset' })],
      { ok: false, claim: 'data-web-0', reason: 'expansionNotAllowed', message: 'storage class unset for web-0 does not support volume expansion' },
    ],
    ['unknown class', [claim(0, { storageClassName: 'gone' })], { ok: false, claim: 'data-web-0', reason: 'storageClassMissing', message: 'could not get sc gone for web-0 when checking PVC spec' }],
    [
      'access modes differ: FailedUpdatePVC',
      [claim(0, { accessModes: ['ReadWriteMany'] })],
      { ok: false, claim: 'data-web-0', reason: 'incompatible', message: 'failed to update pvc data-web-0: contains diff other than spec resource, wait pvc to be deleted' },
    ],
    ['larger claim after a template shrink: never shrunk', [claim(0, { requestStorage: '5Gi' })], { ok: true, expansions: [] }],
  ])('%s', (_n, claims, want) => {
    const t = claims[0]?.storageClassName === 'fixed' || claims[0]?.storageClassName === 'unset' || claims[0]?.storageClassName === 'gone' ? [template({ requestStorage: '2Gi', storageClassName: claims[0].storageClassName })] : grow;
    expect(planClaimExpansion(SET, 'web-0', 0, t, lookup(claims), STORAGE_CLASSES)).toEqual(want);
  });
});

describe('retention policy ownerReferences', () => {
  const set = { name: SET, uid: SET_UID };
  const pod = { name: 'web-1', uid: 'uid-web-1' };
  const setRef: OwnerRefView = { apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet', name: SET, uid: SET_UID };
  const podRef: OwnerRefView = { apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'uid-web-1' };
  const other: OwnerRefView = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'uid-x' };
  const R: RetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Retain' };
  const D: RetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' };
  const WD: RetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' };
  const WS: RetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Delete' };

  it.each<[string, RetentionPolicy | undefined, OwnerRefView[], boolean, OwnerRefView[] | undefined]>([
    ['unset policy = Retain/Retain: nothing to add', undefined, [], false, undefined],
    ['Retain/Retain removes a set ref, keeps others', R, [other, setRef], false, [other]],
    ['WhenDeleted=Delete: set ref', WD, [], false, [setRef]],
    ['WhenDeleted=Delete: already set', WD, [setRef], false, undefined],
    ['WhenDeleted=Delete drops a pod ref', WD, [setRef, podRef], true, [setRef]],
    ['WhenScaled=Delete, in range: nothing', WS, [], false, undefined],
    ['WhenScaled=Delete, scaled down: pod ref', WS, [], true, [podRef]],
    ['WhenScaled=Delete, back in range: pod ref removed', WS, [podRef], false, []],
    ['both Delete, in range: set ref', D, [], false, [setRef]],
    ['both Delete, scaled down: set ref swapped for pod ref', D, [setRef], true, [podRef]],
    ['both Delete, scaled down, already pod ref', D, [podRef], true, undefined],
  ])('%s', (_n, policy, refs, scaledDown, want) => expect(desiredClaimOwnerRefs({ ownerReferences: refs }, policy, set, pod, scaledDown)).toEqual(want));

  it('planClaimOwnerFixes uses the range to decide "scaled down", and waits for a pod UID', () => {
    const range = replicasRange(spec(1), gates());
    const claims = lookup([claim(0), claim(1)]);
    expect(planClaimOwnerFixes(SET, set, { name: 'web-1', uid: 'uid-web-1', ordinal: 1 }, [template()], claims, WS, range)).toEqual([
      { claim: 'data-web-1', ownerReferences: [podRef] },
    ]);
    expect(planClaimOwnerFixes(SET, set, { name: 'web-0', uid: 'uid-web-0', ordinal: 0 }, [template()], claims, WS, range)).toEqual([]);
    expect(planClaimOwnerFixes(SET, set, { name: 'web-1', ordinal: 1 }, [template()], claims, WS, range)).toEqual([]);
  });

  it.each<[string, RetentionPolicy | undefined, OwnerRefView[], string | undefined, boolean]>([
    ['Retain: never stale', R, [{ ...podRef, uid: 'old' }], undefined, false],
    ['WhenScaled=Delete, ref to an earlier pod of that name, new pod: stale', WS, [{ ...podRef, uid: 'old' }], undefined, true],
    ['WhenScaled=Delete, ref to this pod: not stale', WS, [podRef], 'uid-web-1', false],
    ['WhenScaled=Delete, set ref only: not stale', D, [setRef], undefined, false],
  ])('isPodClaimStale: %s', (_n, policy, refs, uid, want) => {
    const claims = lookup([claim(1, { ownerReferences: refs })]);
    expect(isPodClaimStale(SET, { name: 'web-1', ordinal: 1, ...(uid && { uid }) }, [template()], claims, policy)).toBe(want);
  });
});
