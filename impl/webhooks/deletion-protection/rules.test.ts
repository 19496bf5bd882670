import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { FeatureName } from '../../runtime/feature-gates.ts';
import { alwaysOnlyDeletion, type CrdShape, crdDeletion, DELETION_PROTECTION_LABEL, isPodActive, namespaceDeletion, protectionOf, workloadDeletion } from './rules.ts';

const gates = (...on: FeatureName[]) => ({ enabled: (n: FeatureName) => on.includes(n) });
const ON = gates('ResourcesDeletionProtection');
const CRD_ON = gates('ResourcesDeletionProtection', 'DeletionProtectionForCRDCascadingGate');
const labelled = (value?: string, extra: { deletionTimestamp?: Date } = {}) => {
  const labels: Record<string, string> = value === undefined ? {} : { [DELETION_PROTECTION_LABEL]: value };
  return { metadata: { name: 'x', labels, ...extra } };
};
const ALWAYS = 'forbidden by ResourcesProtectionDeletion for policy.kruise.io/delete-protection=Always';
const CASCADING = 'forbidden by ResourcesProtectionDeletion for policy.kruise.io/delete-protection=Cascading';

describe('protectionOf', () => {
  it.each([
    ['Always', 'Always'],
    ['Cascading', 'Cascading'],
    ['always', undefined],
    ['', undefined],
    ['Never', undefined],
    [undefined, undefined],
  ])('label %j -> %j', (value, want) => expect(protectionOf(labelled(value))).toBe(want));
});

describe('workloadDeletion', () => {
  it.each([
    { name: 'Always refuses at any replicas', value: 'Always', replicas: 0, want: ALWAYS },
    { name: 'Cascading refuses while replicas > 0, naming them', value: 'Cascading', replicas: 3, want: `${CASCADING} and replicas 3>0` },
    { name: 'Cascading allows at replicas 0', value: 'Cascading', replicas: 0, want: undefined },
    { name: 'Cascading allows with replicas unset', value: 'Cascading', replicas: undefined, want: undefined },
    { name: 'an unknown value protects nothing', value: 'Sometimes', replicas: 3, want: undefined },
    { name: 'no label protects nothing', value: undefined, replicas: 3, want: undefined },
  ])('$name', ({ value, replicas, want }) => expect(workloadDeletion(labelled(value), replicas, ON)).toBe(want));

  it('is off without ResourcesDeletionProtection', () => {
    expect(workloadDeletion(labelled('Always'), 1, gates())).toBeUndefined();
  });

  it('never refuses an object that is already being deleted', () => {
    expect(workloadDeletion(labelled('Always', { deletionTimestamp: new Date() }), 1, ON)).toBeUndefined();
  });
});

describe('alwaysOnlyDeletion (Service, Ingress)', () => {
  it.each([
    ['Always', ALWAYS],
    ['Cascading', undefined],
    ['other', undefined],
  ])('label %s -> %j', (value, want) => expect(alwaysOnlyDeletion(labelled(value), ON)).toBe(want));

  it('is off without the gate', () => expect(alwaysOnlyDeletion(labelled('Always'), gates())).toBeUndefined());
});

describe('isPodActive', () => {
  it.each([
    ['Running', undefined, true],
    ['Pending', undefined, true],
    [undefined, undefined, true],
    ['Succeeded', undefined, false],
    ['Failed', undefined, false],
    ['Running', new Date(), false],
  ] as const)('phase %s, deletionTimestamp %s -> %s', (phase, deletionTimestamp, want) => {
    expect(isPodActive({ metadata: { deletionTimestamp }, status: { phase } } as V1Pod)).toBe(want);
  });
});

describe('namespaceDeletion', () => {
  const pod = (phase: string, deleting = false) => ({ metadata: { deletionTimestamp: deleting ? new Date() : undefined }, status: { phase } }) as V1Pod;
  const pvc = (phase: string, deleting = false) => ({ metadata: { deletionTimestamp: deleting ? new Date() : undefined }, status: { phase } }) as V1PersistentVolumeClaim;
  const contents = (pods: V1Pod[], claims: V1PersistentVolumeClaim[]) => {
    const asked: string[] = [];
    return {
      asked,
      listPods: async (ns: string) => (asked.push(`pods:${ns}`), pods),
      listPersistentVolumeClaims: async (ns: string) => (asked.push(`pvcs:${ns}`), claims),
    };
  };

  it.each([
    { name: 'Always refuses without looking inside', value: 'Always', pods: [], claims: [], want: ALWAYS, asked: [] },
    { name: 'Cascading refuses with an active pod', value: 'Cascading', pods: [pod('Running'), pod('Succeeded')], claims: [], want: `${CASCADING} and active pods 1>0`, asked: ['pods:x'] },
    { name: 'Cascading refuses with a Bound claim', value: 'Cascading', pods: [pod('Failed')], claims: [pvc('Bound'), pvc('Pending')], want: `${CASCADING} and "Bound" status pvc 1>0`, asked: ['pods:x', 'pvcs:x'] },
    { name: 'Cascading ignores claims being deleted and pending ones', value: 'Cascading', pods: [pod('Running', true)], claims: [pvc('Bound', true), pvc('Pending')], want: undefined, asked: ['pods:x', 'pvcs:x'] },
    { name: 'Cascading allows an empty namespace', value: 'Cascading', pods: [], claims: [], want: undefined, asked: ['pods:x', 'pvcs:x'] },
    { name: 'an unknown value protects nothing', value: 'cascading', pods: [pod('Running')], claims: [], want: undefined, asked: [] },
  ])('$name', async ({ value, pods, claims, want, asked }) => {
    const c = contents(pods, claims);
    expect(await namespaceDeletion(labelled(value), ON, c)).toBe(want);
    expect(c.asked).toEqual(asked);
  });

  it('refuses when the pods cannot be listed', async () => {
    const failing = { listPods: async () => Promise.reject(new Error('boom')), listPersistentVolumeClaims: async () => [] };
    expect(await namespaceDeletion(labelled('Cascading'), ON, failing)).toBe('forbidden by ResourcesProtectionDeletion for list pods error: boom');
  });
});

describe('crdDeletion', () => {
  const crd = (value?: string): CrdShape => ({
    ...labelled(value),
    spec: { group: 'g.io', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', storage: false }, { name: 'v2', storage: true }] },
  });
  const resources = (n: number, deleting = 0) => {
    const asked: string[] = [];
    return {
      asked,
      listCustomObjects: async (g: string, v: string, p: string) => {
        asked.push(`${g}/${v}/${p}`);
        return [...Array.from({ length: n }, () => ({ metadata: {} })), ...Array.from({ length: deleting }, () => ({ metadata: { deletionTimestamp: new Date() } }))];
      },
    };
  };

  it('Always refuses', async () => expect(await crdDeletion(crd('Always'), ON, resources(0))).toBe(ALWAYS));

  it('Cascading without DeletionProtectionForCRDCascadingGate refuses, naming the gate', async () => {
    const r = resources(0);
    expect(await crdDeletion(crd('Cascading'), ON, r)).toBe('feature-gate DeletionProtectionForCRDCascadingGate is not enabled');
    expect(r.asked).toEqual([]);
  });

  it('Cascading refuses while custom resources of the storage version exist', async () => {
    const r = resources(2, 1);
    expect(await crdDeletion(crd('Cascading'), CRD_ON, r)).toBe(`${CASCADING} and active CRs 2>0`);
    expect(r.asked).toEqual(['g.io/v2/widgets']);
  });

  it('Cascading allows once only resources being deleted remain', async () => {
    expect(await crdDeletion(crd('Cascading'), CRD_ON, resources(0, 2))).toBeUndefined();
  });

  it('is off without ResourcesDeletionProtection, whatever the CRD gate says', async () => {
    expect(await crdDeletion(crd('Cascading'), gates('DeletionProtectionForCRDCascadingGate'), resources(3))).toBeUndefined();
  });
});
