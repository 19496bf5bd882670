import type { TestProject } from 'vitest/node';
import { LOCAL_DEFAULTS, LocalProvider } from '../../harness/clusters/local/provider.ts';

/**
 * The substrate smoke suite brings up its own local cluster (own name, own port), so it never
 * touches a cluster the user made with `make cluster`. A missing tool fails here, loudly.
 */
export const SUBSTRATE_CLUSTER = 'substrate-smoke';
export const SUBSTRATE_PORT = 36453;

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    clusterName: string;
    apiserverPort: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provider = new LocalProvider({ ...LOCAL_DEFAULTS, name: SUBSTRATE_CLUSTER, apiserverPort: SUBSTRATE_PORT, log: (l) => console.error(l) });
  await provider.down(); // a leftover of an interrupted run
  const started = performance.now();
  const up = await provider.up();
  console.error(`substrate cluster up in ${((performance.now() - started) / 1000).toFixed(1)} s (${up.kubernetesVersion}, capabilities: ${up.capabilities.join(', ')})`);
  project.provide('kubeconfig', up.kubeconfig);
  project.provide('clusterName', SUBSTRATE_CLUSTER);
  project.provide('apiserverPort', SUBSTRATE_PORT);
  return async () => {
    await provider.down();
  };
}
