import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestProject } from 'vitest/node';
import { LOCAL_DEFAULTS, LocalProvider } from '../../harness/clusters/local/provider.ts';
import { servesPodResize } from '../../harness/clusters/detect.ts';
import { loadKubeConfig } from '../../harness/kube/client.ts';
import { clusterDir } from '../../harness/clusters/state.ts';
import { freePort } from '../../harness/util/ports.ts';

/**
 * The substrate smoke suite brings up its own local cluster (own name, own port), so it never
 * touches a cluster the user made with `make cluster`. A missing tool fails here, loudly.
 *
 * KRUISE_CONFORMANCE_SUBSTRATE_KUBERNETES=1.30 runs the suite on another pinned release instead of
 * the default one. That release must be built first (`tools install --group kube-1.30`): the
 * suite never builds it, and a missing build fails the setup rather than skipping anything.
 * KRUISE_CONFORMANCE_SUBSTRATE_CLUSTER / _PORT pick another cluster name and apiserver port (the
 * defaults: substrate-smoke-<pid> and a free port).
 */
// One cluster per `make test` process: two test runs on one machine (two checkouts, or CI beside a
// developer) must not take each other's cluster down as a "leftover". The port is the OS's pick.
const OWN_PREFIX = 'substrate-smoke-';
export const SUBSTRATE_CLUSTER = process.env.KRUISE_CONFORMANCE_SUBSTRATE_CLUSTER || `${OWN_PREFIX}${process.pid}`;
const PORT_SETTING = process.env.KRUISE_CONFORMANCE_SUBSTRATE_PORT;
const SUBSTRATE_KUBERNETES = process.env.KRUISE_CONFORMANCE_SUBSTRATE_KUBERNETES || undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    clusterName: string;
    apiserverPort: number;
    /** gitVersion the apiserver reports, e.g. v1.30.14. */
    kubernetesVersion: string;
    /** pods/resize is served (1.32+); before, resources change by a plain pod update. */
    podResizeSubresource: boolean;
    /** Feature gates as the apiserver reports them. */
    featureGates: Record<string, boolean>;
  }
}

/** Our own clusters whose test process is gone (an interrupted run): named substrate-smoke-<pid>. */
function orphanedSubstrateClusters(): string[] {
  const root = dirname(clusterDir('local', 'x'));
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((n) => {
    if (!n.startsWith(OWN_PREFIX)) return false;
    const pid = Number(n.slice(OWN_PREFIX.length));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const SUBSTRATE_PORT = PORT_SETTING ? Number(PORT_SETTING) : await freePort();
  if (!Number.isInteger(SUBSTRATE_PORT) || SUBSTRATE_PORT <= 0) throw new Error(`KRUISE_CONFORMANCE_SUBSTRATE_PORT=${PORT_SETTING} is not a port`);
  for (const name of orphanedSubstrateClusters()) {
    console.error(`removing ${name}, left by an interrupted substrate run`);
    await new LocalProvider({ ...LOCAL_DEFAULTS, name, buildMissingTools: false, log: (l) => console.error(l) }).down();
  }
  const provider = new LocalProvider({
    ...LOCAL_DEFAULTS,
    name: SUBSTRATE_CLUSTER,
    apiserverPort: SUBSTRATE_PORT,
    kubernetesVersion: SUBSTRATE_KUBERNETES,
    buildMissingTools: false,
    log: (l) => console.error(l),
  });
  await provider.down(); // a leftover of an interrupted run
  const started = performance.now();
  const up = await provider.up();
  console.error(`substrate cluster up in ${((performance.now() - started) / 1000).toFixed(1)} s (${up.kubernetesVersion}, capabilities: ${up.capabilities.join(', ')})`);
  project.provide('kubeconfig', up.kubeconfig);
  project.provide('clusterName', SUBSTRATE_CLUSTER);
  project.provide('apiserverPort', SUBSTRATE_PORT);
  project.provide('kubernetesVersion', up.kubernetesVersion);
  project.provide('featureGates', up.featureGates);
  project.provide('podResizeSubresource', await servesPodResize(loadKubeConfig(up.kubeconfig)));
  return async () => {
    await provider.down();
  };
}
