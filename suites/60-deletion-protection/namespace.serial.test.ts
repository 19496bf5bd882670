/**
 * Deletion protection of namespaces (spec §7; OpenKruise e2e "ns should be protected"): Always
 * blocks the delete; Cascading blocks it while the namespace has active pods. Serial: it deletes
 * namespaces. Each protected namespace is unprotected again so the run leaves nothing behind.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import { MANAGED_BY, RUN_LABEL } from '../../harness/kube/namespace.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature } from '../lib/conformance.ts';
import { kube, runEnv } from '../lib/context.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';

const PROTECTION = 'policy.kruise.io/delete-protection';
const made: string[] = [];

async function protectedNamespace(value: string): Promise<string> {
  const ns = await kube().core.createNamespace({ body: { metadata: { generateName: 'kc-dp-ns-', labels: { ...MANAGED_BY, [RUN_LABEL]: runEnv().runId, [PROTECTION]: value } } } });
  made.push(ns.metadata!.name!);
  return ns.metadata!.name!;
}

const unprotect = (name: string) =>
  kube().core.patchNamespace({ name, body: { metadata: { labels: { [PROTECTION]: null } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

afterAll(async () => {
  for (const name of made) {
    await unprotect(name).catch(() => undefined);
    await kube().core.deleteNamespace({ name }).catch(() => undefined);
  }
});

describeFeature('DeletionProtection.Namespace', 'protected namespaces cannot be deleted', () => {
  it('Always: delete rejected, naming the label', async () => {
    const name = await protectedNamespace('Always');
    await expectRejected(() => kube().core.deleteNamespace({ name }), PROTECTION, `deleting namespace ${name} labelled Always`);
    const ns = await kube().core.readNamespace({ name });
    expect(ns.metadata?.deletionTimestamp, 'the namespace is not being deleted').toBeUndefined();
  });

  it('Cascading: delete rejected while a pod is active, allowed once the namespace is empty', async () => {
    const name = await protectedNamespace('Cascading');
    await kube().core.createNamespacedPod({ namespace: name, body: { metadata: { name: 'busy' }, spec: { containers: [{ name: 'main', image: IMAGE_V1 }] } } as V1Pod });
    await expectRejected(() => kube().core.deleteNamespace({ name }), PROTECTION, `deleting Cascading namespace ${name} with an active pod`);
    await kube().core.deleteNamespacedPod({ namespace: name, name: 'busy', gracePeriodSeconds: 0 });
    const { waitForAll, POD } = await import('../lib/api.ts');
    await waitForAll(POD, name, undefined, (pods) => pods.length === 0, { timeoutMs: 60_000, describe: `pods of ${name} to be gone` });
    await kube().core.deleteNamespace({ name });
  });
});
