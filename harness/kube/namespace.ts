import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitForCollection } from './wait.ts';

/** Labels on everything the harness creates, so cleanup touches only what is ours. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'kruise-conformance' } as const;
export const RUN_LABEL = 'kruise-conformance.io/run';

export interface TestNamespace {
  name: string;
  /** Delete the namespace and wait until it is gone (the cluster's GC removes its content). */
  delete(): Promise<void>;
}

/** A fresh namespace for one test file, labelled as ours and with the run id. */
export async function createTestNamespace(kc: KubeConfig, prefix: string, runId: string): Promise<TestNamespace> {
  const core = kc.makeApiClient(CoreV1Api);
  const ns = await core.createNamespace({
    body: { metadata: { generateName: `${prefix}-`, labels: { ...MANAGED_BY, [RUN_LABEL]: runId } } },
  });
  const name = ns.metadata!.name!;
  return {
    name,
    async delete() {
      try {
        await core.deleteNamespace({ name });
      } catch (err) {
        if ((err as { code?: number }).code === 404) return;
        throw err;
      }
      await waitForCollection(kc, { path: '/api/v1/namespaces', fieldSelector: `metadata.name=${name}` }, (items) => items.length === 0, {
        timeoutMs: 60_000,
        describe: `namespace ${name} to be deleted`,
      });
    },
  };
}
