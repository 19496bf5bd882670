import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, type KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadKubeConfig } from '../../harness/kube/client.ts';
import { createTestNamespace, type TestNamespace } from '../../harness/kube/namespace.ts';

const runId = randomBytes(4).toString('hex');

export interface Fixture {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  storage: StorageV1Api;
  /** The namespace of this test file; set in beforeAll. */
  ns: string;
}

/** One namespace per test file, deleted when the file ends. */
export function useNamespace(prefix: string): Fixture {
  const kc = loadKubeConfig(inject('kubeconfig'));
  const fixture: Fixture = {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    storage: kc.makeApiClient(StorageV1Api),
    ns: '',
  };
  let namespace: TestNamespace | undefined;
  beforeAll(async () => {
    namespace = await createTestNamespace(kc, prefix, runId);
    fixture.ns = namespace.name;
  });
  afterAll(async () => {
    await namespace?.delete();
  });
  return fixture;
}
