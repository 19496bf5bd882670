/**
 * Deletion protection of namespaces (spec §7; OpenKruise e2e "ns should be protected"): Always
 * refuses the delete; Cascading refuses it while the namespace has an active pod, and then while
 * it has a Bound claim. Serial: it deletes namespaces. Every protected namespace is unprotected
 * again in afterAll, so a failed test leaves nothing behind.
 */
import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, it } from 'vitest';
import { MANAGED_BY, RUN_LABEL } from '../../harness/kube/namespace.ts';
import { POD, PVC, waitForAll } from '../lib/api.ts';
import { describeFeature } from '../lib/conformance.ts';
import { kube, runEnv, timeouts } from '../lib/context.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';
import { expectDeleteAllowed, expectDeletedOrTerminating, expectDeleteRefused, expectSurvived, PROTECTION, UNPROTECT } from './fixtures.ts';

const made: string[] = [];

async function protectedNamespace(value: string): Promise<string> {
  const ns = await kube().core.createNamespace({ body: { metadata: { generateName: 'kc-dp-ns-', labels: { ...MANAGED_BY, [RUN_LABEL]: runEnv().runId, [PROTECTION]: value } } } });
  made.push(ns.metadata!.name!);
  return ns.metadata!.name!;
}

const unprotect = (name: string) => kube().core.patchNamespace({ name, body: UNPROTECT }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
const del = (name: string) => () => kube().core.deleteNamespace({ name });
const read = (name: string) => () => kube().core.readNamespace({ name });

afterAll(async () => {
  for (const name of made) {
    await unprotect(name).catch(() => undefined);
    await kube().core.deleteNamespace({ name }).catch(() => undefined);
  }
});

describeFeature('DeletionProtection.Namespace', 'protected namespaces cannot be deleted', () => {
  it('Always: delete refused and the namespace kept, allowed once the label is removed', async () => {
    const name = await protectedNamespace('Always');
    await expectDeleteRefused(del(name), 'Always', undefined, `deleting namespace ${name} labelled Always`);
    await expectSurvived(read(name), `namespace ${name}`);
    await unprotect(name);
    await expectDeleteAllowed(del(name), `deleting namespace ${name} after removing the label`);
    await expectDeletedOrTerminating(read(name), `namespace ${name}`);
  });

  it('Cascading: delete refused while a pod is active, allowed once the namespace is empty', async () => {
    const name = await protectedNamespace('Cascading');
    await kube().core.createNamespacedPod({ namespace: name, body: { metadata: { name: 'busy' }, spec: { containers: [{ name: 'main', image: IMAGE_V1 }] } } as V1Pod });
    await expectDeleteRefused(del(name), 'Cascading', 'active pods 1>0', `deleting Cascading namespace ${name} with an active pod`);
    await expectSurvived(read(name), `namespace ${name}`);
    await kube().core.deleteNamespacedPod({ namespace: name, name: 'busy', gracePeriodSeconds: 0 });
    await waitForAll(POD, name, undefined, (pods) => pods.length === 0, { timeoutMs: timeouts().podsReady, describe: `pods of ${name} to be gone`, namespace: name });
    await expectDeleteAllowed(del(name), `deleting Cascading namespace ${name} once it has no pods`);
    await expectDeletedOrTerminating(read(name), `namespace ${name}`);
  });

  it('Cascading: delete refused while a claim is Bound, allowed once the claim is deleted', async () => {
    const name = await protectedNamespace('Cascading');
    const claim: V1PersistentVolumeClaim = {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Mi' } }, storageClassName: 'expandable' },
    };
    await kube().core.createNamespacedPersistentVolumeClaim({ namespace: name, body: claim });
    await waitForAll<V1PersistentVolumeClaim & { metadata: NonNullable<V1PersistentVolumeClaim['metadata']> }>(PVC, name, undefined, (items) => items.some((c) => c.status?.phase === 'Bound'), {
      timeoutMs: timeouts().podsReady,
      describe: `claim ${name}/data to be Bound`,
      namespace: name,
    });
    await expectDeleteRefused(del(name), 'Cascading', '"Bound" status pvc 1>0', `deleting Cascading namespace ${name} with a Bound claim and no pods`);
    await expectSurvived(read(name), `namespace ${name}`);
    await kube().core.deleteNamespacedPersistentVolumeClaim({ namespace: name, name: 'data' });
    await waitForAll(PVC, name, undefined, (items) => items.length === 0, { timeoutMs: timeouts().podsReady, describe: `claim ${name}/data to be gone`, namespace: name });
    await expectDeleteAllowed(del(name), `deleting Cascading namespace ${name} once its claim is gone`);
    await expectDeletedOrTerminating(read(name), `namespace ${name}`);
  });

  it('a namespace labelled with another value ("Never") is not protected, even with a pod in it', async () => {
    const name = await protectedNamespace('Never');
    await kube().core.createNamespacedPod({ namespace: name, body: { metadata: { name: 'busy' }, spec: { containers: [{ name: 'main', image: IMAGE_V1 }] } } as V1Pod });
    await expectDeleteAllowed(del(name), `deleting namespace ${name} labelled "Never"`);
    await expectDeletedOrTerminating(read(name), `namespace ${name}`);
  });
});
