import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { recordingRunner } from './recording-runner.ts';
import { MIRRORED_REGISTRIES, NODE_REGISTRY_ADDRESS, NODE_REGISTRY_PATH, hostsToml, offlineStoragePlan, startNodeRegistries } from './offline.ts';
import { CSI_IMAGES } from '../../tools/kind-image/csi-images.ts';

const recorder = recordingRunner;

describe('node registries', () => {
  it('mirror each registry to the node\'s loopback, pull and resolve only', () => {
    const toml = hostsToml('registry.k8s.io');
    expect(toml).toContain('server = "https://registry.k8s.io"');
    expect(toml).toContain(`[host."http://${NODE_REGISTRY_ADDRESS}"]`);
    expect(toml).toContain('capabilities = ["pull", "resolve"]');
    expect(hostsToml('docker.io')).toContain('server = "https://registry-1.docker.io"');
  });

  it('are copied in, started detached, configured and checked on every node, in that order', async () => {
    const { run, calls } = recorder();
    await startNodeRegistries('podman', ['n1', 'n2'], '/cache/kc-node-registry', run);
    const perNode = 3 + MIRRORED_REGISTRIES.length;
    expect(calls).toHaveLength(2 * perNode);
    expect(calls[0]).toEqual(['podman', 'cp', '/cache/kc-node-registry', `n1:${NODE_REGISTRY_PATH}`]);
    expect(calls[1]).toEqual(['podman', 'exec', '-d', 'n1', NODE_REGISTRY_PATH, `--listen=${NODE_REGISTRY_ADDRESS}`]);
    expect(calls[2]!.at(-1)).toBe(hostsToml(MIRRORED_REGISTRIES[0]));
    expect(calls[perNode - 1]!.join(' ')).toContain(`curl -sf http://${NODE_REGISTRY_ADDRESS}/v2/`);
    expect(calls[perNode]![2]).toBe('/cache/kc-node-registry');
  });

  it('a registry that never answers fails the step, naming the node', async () => {
    const { run } = recorder((args) => (args.includes('-c') ? { exitCode: 1, stdout: '', stderr: '' } : undefined));
    await expect(startNodeRegistries('podman', ['n1'], '/b', run)).rejects.toThrow(/starting the node registry on n1 failed at `podman exec n1 sh`: exit code 1/);
  });
});

describe('the offline CSI deployment', () => {
  const plan = offlineStoragePlan(['/a.tar'], 4);
  it('applies rbac, driver and classes that exist, and waits for the controller and one plugin per node', () => {
    expect(plan.manifests.map((m) => m.split('/').at(-1))).toEqual(['rbac.yaml', 'driver.yaml', 'storage.yaml']);
    for (const m of plan.manifests) expect(existsSync(m), m).toBe(true);
    expect(plan.minPods).toBe(5);
    expect(plan.imageArchives).toEqual(['/a.tar']);
  });

  it('names only images built here, never pulled, and the classes the suites use', () => {
    const docs = plan.manifests.flatMap((m) => readFileSync(m, 'utf8').split(/^---$/m).map((d) => parse(d) as Record<string, any>));
    const containers = docs.flatMap((d) => d?.spec?.template?.spec?.containers ?? []) as { image: string; imagePullPolicy: string }[];
    expect(containers.length).toBeGreaterThanOrEqual(4);
    for (const c of containers) {
      expect(CSI_IMAGES.map((i) => i.tag), c.image).toContain(c.image);
      expect(c.imagePullPolicy).toBe('Never');
    }
    const classes = docs.filter((d) => d?.kind === 'StorageClass');
    expect(classes.map((c) => [c.metadata.name, c.allowVolumeExpansion, c.provisioner])).toEqual([
      ['expandable', true, 'csi.kruise-conformance.io'],
      ['fixed', false, 'csi.kruise-conformance.io'],
    ]);
    const selected = docs.filter((d) => d?.spec?.template?.metadata?.labels?.['app.kubernetes.io/part-of'] === 'kruise-conformance-csi');
    expect(selected.map((d) => d.kind).sort(), 'both workloads carry the label the wait selects on').toEqual(['DaemonSet', 'Deployment']);
  });
});
