/**
 * What a cluster from the node image built here needs besides the pod network: pulls that work
 * without a registry, and a CSI driver. kubelets pull an imagePullPolicy Always image (the
 * default for OpenKruise workloads' containers) even when the node holds it, and offline that
 * pull fails: every node runs kc-node-registry on its loopback, and containerd (config_path,
 * patched in at create) treats it as a mirror of the registries named here, so pulls of images
 * the node holds succeed and fetch nothing. Storage is the harness's own CSI deployment
 * (clusters/kind/csi/) once its images are built.
 */
import { join } from 'node:path';
import { CONTAINERD_HOSTS_DIR, KIND_DATA_DIR } from './config.ts';
import type { StoragePlan } from './csi.ts';
import type { CommandRunner, EngineName } from './engine.ts';

export const NODE_REGISTRY_ADDRESS = '127.0.0.1:35000';
export const NODE_REGISTRY_PATH = '/kind/bin/kc-node-registry';
/** Registries whose pulls the node registry answers. */
export const MIRRORED_REGISTRIES = ['registry.k8s.io', 'docker.io'] as const;


export function hostsToml(registry: string): string {
  const server = registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${registry}`;
  return `# Written by kruise-conformance: pulls are answered by kc-node-registry from this node's own store.\nserver = "${server}"\n\n[host."http://${NODE_REGISTRY_ADDRESS}"]\n  capabilities = ["pull", "resolve"]\n`;
}

/** Per node: copy the registry in, start it detached, point containerd at it. */
export async function startNodeRegistries(engine: EngineName, nodes: readonly string[], binary: string, run: CommandRunner): Promise<void> {
  for (const node of nodes) {
    const steps: string[][] = [
      ['cp', binary, `${node}:${NODE_REGISTRY_PATH}`],
      ['exec', '-d', node, NODE_REGISTRY_PATH, `--listen=${NODE_REGISTRY_ADDRESS}`],
      ...MIRRORED_REGISTRIES.map((r) => [
        'exec',
        node,
        'sh',
        '-ec',
        `mkdir -p ${CONTAINERD_HOSTS_DIR}/${r} && printf '%s' "$1" > ${CONTAINERD_HOSTS_DIR}/${r}/hosts.toml`,
        'sh',
        hostsToml(r),
      ]),
      // The registry answers before the first pod is pulled.
      ['exec', node, 'sh', '-c', `for i in $(seq 1 50); do curl -sf http://${NODE_REGISTRY_ADDRESS}/v2/ >/dev/null && exit 0; sleep 0.1; done; exit 1`],
    ];
    for (const step of steps) {
      const r = await run(engine, step, 20_000);
      if (r.exitCode !== 0 || r.failure) {
        throw new Error(`starting the node registry on ${node} failed at \`${engine} ${step.slice(0, 3).join(' ')}\`: ${r.failure ?? (r.stderr.trim().split('\n').at(-1) || `exit code ${r.exitCode}`)}`);
      }
    }
  }
}

export const OFFLINE_CSI_DIR = join(KIND_DATA_DIR, 'csi');
export const OFFLINE_CSI_NAMESPACE = 'kruise-conformance-csi';
export const OFFLINE_CSI_SELECTOR = 'app.kubernetes.io/part-of=kruise-conformance-csi';

/** The harness's CSI deployment: its images loaded first, then rbac, driver, classes. */
export function offlineStoragePlan(archives: readonly string[], nodes: number): StoragePlan {
  return {
    describe: 'the CSI driver kc-csi',
    manifests: ['rbac.yaml', 'driver.yaml', 'storage.yaml'].map((f) => join(OFFLINE_CSI_DIR, f)),
    imageArchives: [...archives],
    namespace: OFFLINE_CSI_NAMESPACE,
    podSelector: OFFLINE_CSI_SELECTOR,
    // the controller and one node plugin per node
    minPods: 1 + nodes,
  };
}
