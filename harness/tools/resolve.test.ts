import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../clusters/provider.ts';
import { groupCacheDir } from './cache.ts';
import { groupById } from './catalog.ts';
import { overrideEnvName, toolPath, toolPaths } from './resolve.ts';

describe('tools of another Kubernetes release', () => {
  const saved = { ...process.env };
  let cache = '';
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'kc-resolve-'));
    process.env.KRUISE_CONFORMANCE_CACHE = cache;
    for (const key of Object.keys(process.env)) if (key.endsWith('_BINARY')) delete process.env[key];
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(cache, { recursive: true, force: true });
  });

  it('has override variables of its own, so one release never stands in for another', () => {
    expect(overrideEnvName('kube-apiserver')).toBe('KRUISE_CONFORMANCE_KUBE_APISERVER_BINARY');
    expect(overrideEnvName('kube-apiserver', groupById('kube'))).toBe('KRUISE_CONFORMANCE_KUBE_APISERVER_BINARY');
    expect(overrideEnvName('kube-apiserver', groupById('kube-1.30'))).toBe('KRUISE_CONFORMANCE_KUBE_APISERVER_KUBE_1_30_BINARY');
  });

  it('names the on-demand install command when the release is not built', () => {
    let err: unknown;
    try {
      toolPath('kube-apiserver', groupById('kube-1.30'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toContain('v1.30.14 is not built');
    expect((err as ProviderError).fix).toContain('tools install --group kube-1.30');
  });

  it('takes the named group for its binaries and the default groups for the rest', () => {
    const g = groupById('kube-1.30');
    const bin = join(groupCacheDir(g), 'bin');
    mkdirSync(bin, { recursive: true });
    for (const b of g.binaries) {
      writeFileSync(join(bin, b.name), '#!/bin/sh\n');
      chmodSync(join(bin, b.name), 0o755);
    }
    writeFileSync(join(groupCacheDir(g), '.complete'), 'test\n');
    const etcd = join(cache, 'my-etcd');
    writeFileSync(etcd, '#!/bin/sh\n');
    chmodSync(etcd, 0o755);
    process.env[overrideEnvName('etcd')] = etcd;
    expect(toolPaths(['kube-apiserver', 'kubectl', 'etcd'], [g])).toEqual({ 'kube-apiserver': join(bin, 'kube-apiserver'), kubectl: join(bin, 'kubectl'), etcd });
  });

  it('refuses a group that does not build the tool', () => {
    expect(() => toolPath('etcd', groupById('kube-1.30'))).toThrow(/kube-1.30 does not build etcd/);
  });
});
