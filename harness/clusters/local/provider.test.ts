import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOptions } from '../../run/options.ts';
import { KUBERNETES_1_30_VERSION, KUBERNETES_VERSION } from '../../tools/catalog.ts';
import { ProviderError } from '../provider.ts';
import { createProvider } from '../registry.ts';
import { LOCAL_DEFAULTS, LocalProvider } from './provider.ts';

const local = (kubernetesVersion?: string) => createProvider({ provider: 'local', name: 'version-choice', log: () => {}, kubernetesVersion });

describe('the Kubernetes release of the local provider', () => {
  it('runs the default release unless another is asked for', () => {
    expect((local() as LocalProvider).release.version).toBe(KUBERNETES_VERSION);
    expect((local('1.30') as LocalProvider).release).toEqual({ minor: '1.30', version: KUBERNETES_1_30_VERSION, group: 'kube-1.30' });
  });

  it('refuses an unpinned release when the provider is made, before anything starts', () => {
    expect(() => local('1.32')).toThrow(ProviderError);
  });

  it('gets the release from conformance.yaml or the flag, the flag winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-options-'));
    try {
      const file = join(dir, 'conformance.yaml');
      writeFileSync(file, 'provider: local\nkubernetesVersion: "1.30"\n');
      const fromFile = loadOptions(file, {});
      expect(fromFile.kubernetesVersion).toBe('1.30');
      expect((local(fromFile.kubernetesVersion) as LocalProvider).release.group).toBe('kube-1.30');
      expect(loadOptions(file, { kubernetesVersion: '1.34' }).kubernetesVersion).toBe('1.34');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a release that is not built', () => {
  it('fails up with the install command when building on demand is off (the substrate suite), starting nothing', async () => {
    const saved = process.env.KRUISE_CONFORMANCE_CACHE;
    const cache = mkdtempSync(join(tmpdir(), 'kc-nobuild-'));
    process.env.KRUISE_CONFORMANCE_CACHE = cache;
    try {
      const provider = new LocalProvider({ ...LOCAL_DEFAULTS, name: 'not-built', apiserverPort: 1, kubernetesVersion: '1.30', buildMissingTools: false, log: () => {} });
      const err = await provider.up().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).message).toMatch(/kube-apiserver v1\.30\.14 is not built/);
      expect((err as ProviderError).fix).toContain('tools install --group kube-1.30');
      expect((await provider.status()).state, 'nothing was left behind').toBe('down');
    } finally {
      if (saved === undefined) delete process.env.KRUISE_CONFORMANCE_CACHE;
      else process.env.KRUISE_CONFORMANCE_CACHE = saved;
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
