import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KUBERNETES_VERSION } from '../../tools/catalog.ts';
import { ProviderError } from '../provider.ts';
import { CONTAINERD_CONFIG_PATH_PATCH, KUBELET_SYNC_PATCH, CONTAINERD_RESTRICT_OOM, CSI_DATA_NODE_PATH, KIND_POD_SUBNET, KIND_ZONES, ZONE_LABEL, kindClusterConfig, loadKindVersions, minorOfImage, parseKindVersions, renderKindConfig, selectKindVersion } from './config.ts';

const table = loadKindVersions();

describe('clusters/kind/versions.yaml', () => {
  it('has a row for every supported minor, 1.30 to 1.34', () => {
    expect(Object.keys(table.versions).sort()).toEqual(['1.30', '1.31', '1.32', '1.33', '1.34']);
  });

  it('defaults to the minor of the pinned Kubernetes tools', () => {
    expect(table.default).toBe(/^v(1\.\d+)\./.exec(KUBERNETES_VERSION)![1]);
    expect(table.versions[table.default]!.kubernetesVersion).toBe(KUBERNETES_VERSION);
  });

  it('turns InPlacePodVerticalScaling on where it is alpha (up to 1.32) and leaves the beta default alone after', () => {
    const gate = Object.fromEntries(Object.entries(table.versions).map(([m, r]) => [m, r.featureGates.InPlacePodVerticalScaling]));
    expect(gate).toEqual({ '1.30': true, '1.31': true, '1.32': true, '1.33': undefined, '1.34': undefined });
  });

  it('names a node image of the row\'s own release', () => {
    for (const [m, row] of Object.entries(table.versions)) {
      expect(minorOfImage(row.image), `${m}: ${row.image}`).toBe(m);
      expect(row.image, 'fully qualified: podman resolves short names to docker.io, its own builds to localhost').toMatch(/^docker\.io\/kindest\/node:/);
      expect(row.image.endsWith(`:${row.kubernetesVersion}`) || row.image.includes(`:${row.kubernetesVersion}@sha256:`), `${m}: ${row.image}`).toBe(true);
    }
  });
});

describe('parseKindVersions', () => {
  const row = (v: string) => `    kubernetesVersion: ${v}\n    image: kindest/node:${v}\n`;
  it('rejects a default without a row, naming the key', () => {
    expect(() => parseKindVersions(`default: "1.29"\nversions:\n  "1.30":\n${row('v1.30.1')}`, 't.yaml')).toThrow(/t\.yaml: default: default names a minor that has no row/);
  });
  it('rejects a release filed under another minor', () => {
    expect(() => parseKindVersions(`default: "1.30"\nversions:\n  "1.30":\n${row('v1.31.1')}`, 't.yaml')).toThrow(/versions\.1\.30\.kubernetesVersion is v1\.31\.1, not a 1\.30 release/);
  });
  it('rejects unknown fields, so a typo is not silently ignored', () => {
    expect(() => parseKindVersions(`default: "1.30"\nversions:\n  "1.30":\n${row('v1.30.1')}    featureGate: {}\n`, 't.yaml')).toThrow(/t\.yaml: versions\.1\.30/);
  });
});

describe('selectKindVersion', () => {
  it('takes the minor asked for, in any of its spellings', () => {
    for (const asked of ['1.31', 'v1.31', '1.31.2', 'v1.31.14']) expect(selectKindVersion(table, { kubernetesVersion: asked }).minor, asked).toBe('1.31');
  });
  it('infers the minor from an --image tag, and keeps that row\'s gates with the given image', () => {
    const row = selectKindVersion(table, { image: 'example.com/node:v1.32.0@sha256:abc' });
    expect(row).toMatchObject({ minor: '1.32', image: 'example.com/node:v1.32.0@sha256:abc', featureGates: { InPlacePodVerticalScaling: true } });
  });
  it('falls back to the default for an image tag without a version', () => {
    expect(selectKindVersion(table, { image: 'my/node:dev' }).minor).toBe(table.default);
  });
  it('refuses a minor without a row, listing the known ones', () => {
    const err = (() => {
      try {
        selectKindVersion(table, { kubernetesVersion: '1.29' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toMatch(/no kind node image is known for Kubernetes 1\.29 .*lists 1\.30, 1\.31, 1\.32, 1\.33, 1\.34/);
    expect((err as ProviderError).fix).toMatch(/--kubernetes-version 1\.30\|1\.31/);
  });
});

describe('kindClusterConfig', () => {
  const row = selectKindVersion(table, { kubernetesVersion: '1.31' });

  it('is one control plane and three workers, one per zone, all on the row\'s image', () => {
    const config = kindClusterConfig(row, { name: 'c1' });
    expect(config).toEqual({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: 'c1',
      featureGates: { InPlacePodVerticalScaling: true },
      networking: { apiServerAddress: '127.0.0.1' },
      containerdConfigPatches: [CONTAINERD_RESTRICT_OOM],
      nodes: [
        { role: 'control-plane', image: 'docker.io/kindest/node:v1.31.14' },
        { role: 'worker', image: 'docker.io/kindest/node:v1.31.14', labels: { [ZONE_LABEL]: 'zone-a' } },
        { role: 'worker', image: 'docker.io/kindest/node:v1.31.14', labels: { [ZONE_LABEL]: 'zone-b' } },
        { role: 'worker', image: 'docker.io/kindest/node:v1.31.14', labels: { [ZONE_LABEL]: 'zone-c' } },
      ],
    });
    expect(KIND_ZONES).toHaveLength(3);
  });

  it('merges the user\'s gates over the row\'s, and omits featureGates when there are none', () => {
    expect(kindClusterConfig(row, { name: 'c', featureGates: { InPlacePodVerticalScaling: false, Foo: true } }).featureGates).toEqual({ InPlacePodVerticalScaling: false, Foo: true });
    expect(kindClusterConfig(selectKindVersion(table, { kubernetesVersion: '1.34' }), { name: 'c' })).not.toHaveProperty('featureGates');
  });

  it('always restricts oom_score_adj in the nodes\' containerd, and passes a row\'s patches after it', () => {
    const patch = '[plugins."io.containerd.grpc.v1.cri"]\n  enable_unprivileged_ports = true\n';
    expect(kindClusterConfig({ ...row, containerdConfigPatches: [patch] }, { name: 'c' }).containerdConfigPatches).toEqual([CONTAINERD_RESTRICT_OOM, patch]);
    expect(kindClusterConfig(row, { name: 'c' }).containerdConfigPatches).toEqual([CONTAINERD_RESTRICT_OOM]);
    expect(CONTAINERD_RESTRICT_OOM).toMatch(/^\[plugins\."io\.containerd\.grpc\.v1\.cri"\]\n\s+restrict_oom_score_adj = true\n$/);
  });

  it('offline: no default CNI, the pod subnet written out, and the CSI data directory in every node', () => {
    const config = kindClusterConfig(row, { name: 'c', offline: { csiDataDir: '/state/kind/c/csi-data' } });
    expect(config.networking).toEqual({ apiServerAddress: '127.0.0.1', disableDefaultCNI: true, podSubnet: KIND_POD_SUBNET });
    expect(config.kubeadmConfigPatches).toEqual([KUBELET_SYNC_PATCH]);
    expect(kindClusterConfig(row, { name: 'c' })).not.toHaveProperty('kubeadmConfigPatches');
    expect(config.containerdConfigPatches, 'pulls go through the hosts.toml files the harness writes').toEqual([CONTAINERD_RESTRICT_OOM, CONTAINERD_CONFIG_PATH_PATCH]);
    expect(config.nodes).toHaveLength(4);
    for (const node of config.nodes) expect(node.extraMounts).toEqual([{ hostPath: '/state/kind/c/csi-data', containerPath: CSI_DATA_NODE_PATH }]);
    expect(kindClusterConfig(row, { name: 'c' }).nodes.every((n) => n.extraMounts === undefined)).toBe(true);
  });

  it('does not change its inputs and renders YAML that reads back the same', () => {
    const before = structuredClone(row);
    const config = kindClusterConfig(row, { name: 'c', featureGates: { Foo: true } });
    expect(row).toEqual(before);
    expect(parse(renderKindConfig(config))).toEqual(config);
  });
});
