import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindCgroupReader, parseCgroupFiles } from './node-cgroups.ts';

describe('parseCgroupFiles', () => {
  it('reads cgroup v1 limits, unlimited as undefined', () => {
    expect(parseCgroupFiles({ 'memory.limit_in_bytes': '134217728\n', 'cpu.cfs_quota_us': '30000\n', 'cpu.cfs_period_us': '100000\n', 'cpu.shares': '153\n' })).toEqual({
      memoryLimit: 134217728,
      cpuQuota: 30000,
      cpuPeriod: 100000,
      cpuShares: 153,
    });
    expect(parseCgroupFiles({ 'memory.limit_in_bytes': '9223372036854771712', 'cpu.cfs_quota_us': '-1', 'cpu.shares': '2' })).toEqual({ memoryLimit: undefined, cpuQuota: undefined, cpuPeriod: 100000, cpuShares: 2 });
  });

  it('reads cgroup v2 limits, weight back to shares', () => {
    // the kubelet maps 153 shares to weight 6 (integer division); the inverse is the bucket's lower end
    expect(parseCgroupFiles({ 'memory.max': '134217728', 'cpu.max': '30000 100000', 'cpu.weight': '6' })).toEqual({ memoryLimit: 134217728, cpuQuota: 30000, cpuPeriod: 100000, cpuShares: 133 });
    expect(parseCgroupFiles({ 'memory.max': 'max', 'cpu.max': 'max 100000' })).toMatchObject({ memoryLimit: undefined, cpuQuota: undefined });
  });
});

describe('kindCgroupReader', () => {
  it('exists only for a kind cluster the harness recorded, with its engine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-cg-'));
    try {
      expect(kindCgroupReader(join(dir, 'kubeconfig')), 'no state').toBeUndefined();
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ provider: 'local', extra: {} }));
      expect(kindCgroupReader(join(dir, 'kubeconfig')), 'local').toBeUndefined();
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ provider: 'kind', extra: { engine: 'podman' } }));
      expect(kindCgroupReader(join(dir, 'kubeconfig'))).toBeTypeOf('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
