import { PatchStrategy, setHeaderOptions, type V1PersistentVolume, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { waitForObject } from '../../harness/kube/wait.ts';
import { useNamespace } from './fixture.ts';

const f = useNamespace('substrate-storage');
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function claim(name: string, storageClassName: string | undefined, size: string): V1PersistentVolumeClaim {
  return { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: size } } } };
}

const waitForClaim = (name: string, predicate: (c: V1PersistentVolumeClaim | undefined) => boolean, describe: string) =>
  waitForObject<V1PersistentVolumeClaim>(f.kc, `/api/v1/namespaces/${f.ns}/persistentvolumeclaims`, name, predicate, {
    timeoutMs: 30_000,
    describe: `PVC ${f.ns}/${name}: ${describe}`,
    render: (cs) => JSON.stringify({ spec: cs[0]?.spec?.resources, status: cs[0]?.status }, null, 2),
  });

async function expectRejected(action: Promise<unknown>, pattern: RegExp) {
  const err = await action.then(
    () => undefined,
    (e: unknown) => e as { code?: number; body?: string },
  );
  expect(err, 'the API server refused the change').toBeDefined();
  expect(String(err?.body), 'the refusal says why').toMatch(pattern);
}

describe('simulated CSI storage', () => {
  it('binds a claim on the default class `expandable`', async () => {
    const classes = (await f.storage.listStorageClass()).items;
    const defaults = classes.filter((c) => c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
    expect(defaults.map((c) => c.metadata?.name)).toEqual(['expandable']);
    expect(classes.find((c) => c.metadata?.name === 'expandable')?.allowVolumeExpansion).toBe(true);

    await f.core.createNamespacedPersistentVolumeClaim({ namespace: f.ns, body: claim('default-class', undefined, '1Gi') });
    const bound = await waitForClaim('default-class', (c) => c?.status?.phase === 'Bound', 'Bound');
    expect(bound?.spec?.storageClassName, 'the default class was applied').toBe('expandable');
    expect(bound?.status?.capacity?.storage).toBe('1Gi');
  });

  it('expands a bound claim on `expandable`: PV and claim capacity follow the request', async () => {
    await f.core.createNamespacedPersistentVolumeClaim({ namespace: f.ns, body: claim('grow', 'expandable', '1Gi') });
    const bound = await waitForClaim('grow', (c) => c?.status?.phase === 'Bound', 'Bound');
    await f.core.patchNamespacedPersistentVolumeClaim({ name: 'grow', namespace: f.ns, body: { spec: { resources: { requests: { storage: '3Gi' } } } } }, merge);

    let sawResizing = false;
    const grown = await waitForClaim(
      'grow',
      (c) => {
        if (c?.status?.conditions?.some((x) => x.type === 'Resizing')) sawResizing = true;
        return c?.status?.capacity?.storage === '3Gi';
      },
      'status.capacity to reach 3Gi',
    );
    expect(sawResizing, 'a Resizing condition was observed during the expansion').toBe(true);
    expect(grown?.status?.conditions ?? [], 'no condition left once expanded').toEqual([]);
    // status.allocatedResources is kept only with RecoverVolumeExpansionFailure (GA in 1.34, alpha and off in 1.30).
    if (inject('featureGates').RecoverVolumeExpansionFailure) expect(grown?.status?.allocatedResources?.storage).toBe('3Gi');
    else expect(grown?.status?.allocatedResources, 'dropped by the apiserver without RecoverVolumeExpansionFailure').toBeUndefined();
    const pv = await f.core.readPersistentVolume({ name: bound!.spec!.volumeName! });
    expect((pv as V1PersistentVolume).spec?.capacity?.storage).toBe('3Gi');
  });

  it('refuses to shrink a claim below its capacity', async () => {
    await f.core.createNamespacedPersistentVolumeClaim({ namespace: f.ns, body: claim('shrink', 'expandable', '2Gi') });
    await waitForClaim('shrink', (c) => c?.status?.phase === 'Bound', 'Bound');
    await expectRejected(
      f.core.patchNamespacedPersistentVolumeClaim({ name: 'shrink', namespace: f.ns, body: { spec: { resources: { requests: { storage: '1Gi' } } } } }, merge),
      /spec\.resources\.requests\.storage.*less than/,
    );
  });

  it('refuses to expand a claim on `fixed`', async () => {
    await f.core.createNamespacedPersistentVolumeClaim({ namespace: f.ns, body: claim('fixed', 'fixed', '1Gi') });
    await waitForClaim('fixed', (c) => c?.status?.phase === 'Bound', 'Bound');
    await expectRejected(
      f.core.patchNamespacedPersistentVolumeClaim({ name: 'fixed', namespace: f.ns, body: { spec: { resources: { requests: { storage: '2Gi' } } } } }, merge),
      /storageclass that provisions the pvc must support resize/,
    );
  });
});
