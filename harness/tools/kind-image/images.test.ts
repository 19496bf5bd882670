import { describe, expect, it } from 'vitest';
import { groupById } from '../catalog.ts';
import { NODE_IMAGES, SANDBOX_IMAGE, archiveManifest, dependencyClosure, imageConfig, imageToolGroups } from './images.ts';

const status = `Package: iptables
Status: install ok installed
Depends: libc6 (>= 2.34), libip4tc2 (= 1.8.9-2), libnftnl11 (>= 1.1.6) | libnftnl-dummy

Package: libip4tc2
Status: install ok installed
Pre-Depends: libpre:amd64

Package: libpre
Status: install ok installed

Package: libnftnl11
Status: install ok installed
Depends: libc6 (>= 2.14),
 libmnl0 (>= 1.0.3-4~)

Package: libmnl0
Status: install ok installed
Depends: libc6

Package: libc6
Status: install ok installed
Depends: libgcc-s1

Package: libgcc-s1
Status: install ok installed

Package: removed-one
Status: deinstall ok config-files
`;

describe('dependencyClosure', () => {
  it('follows Depends and Pre-Depends transitively, continuation lines and arch qualifiers included', () => {
    expect(dependencyClosure(status, ['iptables'])).toEqual(['iptables', 'libc6', 'libgcc-s1', 'libip4tc2', 'libmnl0', 'libnftnl11', 'libpre']);
  });
  it('fails on a root or a dependency that is not installed, naming who needs it', () => {
    expect(() => dependencyClosure(status, ['removed-one'])).toThrow(/package removed-one is not installed/);
    expect(() => dependencyClosure(status.replace('libmnl0 (>= 1.0.3-4~)', 'libmissing'), ['iptables'])).toThrow(/"libmissing" \(needed by libnftnl11\)/);
  });
});

describe('the node images', () => {
  it('carry the tags kubeadm v1.34 and kind v0.33.0 ask for, fully qualified', () => {
    const tags = NODE_IMAGES.flatMap((i) => i.tags).sort();
    expect(tags).toEqual([
      'registry.k8s.io/coredns/coredns:v1.12.1',
      'registry.k8s.io/etcd:3.6.5-0',
      'registry.k8s.io/kube-apiserver:v1.34.10',
      'registry.k8s.io/kube-controller-manager:v1.34.10',
      'registry.k8s.io/kube-proxy:v1.34.10',
      'registry.k8s.io/kube-scheduler:v1.34.10',
      'registry.k8s.io/pause:3.10',
      'registry.k8s.io/pause:3.10.1',
      'registry.k8s.io/pause:3.8',
      'registry.k8s.io/pause:3.9',
    ]);
    expect(tags).toContain(SANDBOX_IMAGE);
  });
  it('hold every image the suites run, each pause version its own image', async () => {
    const { IMAGE_V1, IMAGE_V2, IMAGE_V3 } = await import('../../../suites/lib/workloads.ts');
    const owner = (tag: string) => NODE_IMAGES.find((i) => i.tags.includes(tag));
    for (const image of [IMAGE_V1, IMAGE_V2, IMAGE_V3]) expect(owner(image), image).toBeDefined();
    const versions = [IMAGE_V1, IMAGE_V2, IMAGE_V3].map((t) => owner(t)!.files[0]!.source);
    expect(new Set(versions.map((v) => JSON.stringify(v))).size, 'three distinct pause builds').toBe(3);
  });
  it('take every binary from a tool group that builds it', () => {
    for (const image of NODE_IMAGES) {
      for (const f of image.files) {
        if ('group' in f.source) expect(groupById(f.source.group).binaries.map((b) => b.name), `${image.name}: ${f.path}`).toContain(f.source.tool);
      }
    }
    expect(imageToolGroups()).toEqual(['coredns', 'crictl', 'kind-etcd', 'kube', 'kube-node']);
  });
  it('point kube-proxy at the legacy iptables backend kind selects in a podman node', () => {
    const proxy = NODE_IMAGES.find((i) => i.name === 'kube-proxy')!;
    expect(proxy.alternatives).toMatchObject({ iptables: '/usr/sbin/iptables-legacy', 'ip6tables-restore': '/usr/sbin/ip6tables-legacy-restore' });
  });
});

describe('imageConfig and archiveManifest', () => {
  it('describe a one-layer image reproducibly', () => {
    const pause = NODE_IMAGES.find((i) => i.name === 'pause')!;
    const config = imageConfig(pause, 'sha256:abc', 'amd64');
    expect(config).toMatchObject({ architecture: 'amd64', os: 'linux', created: '1970-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: ['sha256:abc'] } });
    expect(config.config).toMatchObject({ Entrypoint: ['/pause'], User: '65535:65535' });
    expect(imageConfig(pause, 'sha256:abc', 'amd64')).toEqual(config);
    expect(archiveManifest(pause, 'c.json', 'l/layer.tar')).toEqual([{ Config: 'c.json', RepoTags: pause.tags, Layers: ['l/layer.tar'] }]);
  });
});
