import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wrapperModuleDir } from './cache.ts';
import { KUBERNETES_1_30_VERSION, KUBERNETES_RELEASES, KUBERNETES_VERSION, TOOL_GROUPS, groupById, groupOf } from './catalog.ts';
import { goFlags, groupsToInstall } from './install.ts';

describe('Kubernetes releases in the tool catalog', () => {
  it('keeps the default release first and builds it by plain `tools install`', () => {
    expect(KUBERNETES_RELEASES[0]).toEqual({ minor: '1.34', version: KUBERNETES_VERSION, group: 'kube' });
    expect(groupsToInstall().map((g) => g.id)).toContain('kube');
    expect(groupOf('kube-apiserver').id, 'a Kubernetes binary comes from the default release unless another is named').toBe('kube');
  });

  it('builds 1.30 only on demand, into its own versioned group', () => {
    const g = groupById('kube-1.30');
    expect({ version: g.version, onDemand: g.onDemand, neededByLocal: g.neededByLocal }).toEqual({ version: KUBERNETES_1_30_VERSION, onDemand: true, neededByLocal: false });
    expect(groupsToInstall().map((x) => x.id), 'a plain `tools install` / `make tools`').not.toContain('kube-1.30');
    expect(groupsToInstall(['kube-1.30']).map((x) => x.id)).toEqual(['kube-1.30']);
    expect(g.binaries.map((b) => b.name)).toEqual(groupById('kube').binaries.map((b) => b.name));
  });

  it('stamps each build with its own version and minor', () => {
    for (const [id, version, minor] of [['kube', KUBERNETES_VERSION, '34'], ['kube-1.30', KUBERNETES_1_30_VERSION, '30']] as const) {
      const flags = groupById(id).ldflags.join(' ');
      expect(flags).toContain(`-X k8s.io/component-base/version.gitVersion=${version}`);
      expect(flags).toContain(`-X k8s.io/component-base/version.gitMinor=${minor}`);
      expect(flags).toContain(`-X k8s.io/client-go/pkg/version.gitMinor=${minor}`);
      expect(flags).not.toMatch(new RegExp(`gitMinor=(?!${minor}\\b)`));
    }
  });

  it('pins each release in its wrapper go.mod, staging modules at the matching v0.x', () => {
    for (const release of KUBERNETES_RELEASES) {
      const goMod = readFileSync(join(wrapperModuleDir(groupById(release.group)), 'go.mod'), 'utf8');
      const staging = release.version.replace(/^v1\./, 'v0.');
      expect(goMod, `${release.group}/go.mod`).toMatch(new RegExp(`(^|\\s)k8s\\.io/kubernetes ${release.version.replaceAll('.', '\\.')}\\b`, 'm'));
      const replaced = [...goMod.matchAll(/^\s*(k8s\.io\/[\w-]+) => \1 (v\S+)$/gm)];
      expect(replaced.length, `${release.group}/go.mod replaces the staging modules`).toBeGreaterThan(20);
      expect(replaced.filter((m) => m[2] !== staging).map((m) => `${m[1]} ${m[2]}`), `staging modules of ${release.group} at ${staging}`).toEqual([]);
    }
  });

  it('builds the kind node image groups only on demand, the node binaries at the default release', () => {
    for (const id of ['kube-node', 'kind-etcd', 'coredns', 'crictl'] as const) {
      expect(groupsToInstall().map((g) => g.id), `a plain \`tools install\` builds no ${id}`).not.toContain(id);
      expect(groupById(id).onDemand, id).toBe(true);
    }
    expect(groupById('kube-node').version).toBe(KUBERNETES_VERSION);
    expect(groupById('kube-node').ldflags).toEqual(groupById('kube').ldflags);
    expect(groupOf('etcd').id, 'the local provider keeps its own etcd').toBe('etcd');
  });

  it('has one group per id', () => {
    const ids = TOOL_GROUPS.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('goFlags', () => {
  it("keeps the user's GOFLAGS and puts ours last, so ours win", () => {
    expect(goFlags('-mod=readonly', { GOFLAGS: ' -p=1 ' })).toBe('-p=1 -mod=readonly');
    expect(goFlags('-mod=readonly', {})).toBe('-mod=readonly');
  });
});
