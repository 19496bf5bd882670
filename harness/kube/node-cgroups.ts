/**
 * A container's cgroup limits as the kernel holds them, read through the kind node container
 * that runs the pod: what an in-place resize must change on a real kubelet, beyond the
 * kubelet's own report in status.containerStatuses[].resources. Only a kind cluster the harness
 * made can be read this way (its state names the container engine); elsewhere the reader is
 * undefined and the caller checks what the API shows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';

export interface CgroupLimits {
  /** Bytes; undefined when unlimited. */
  memoryLimit?: number;
  /** CFS quota in microseconds per period; undefined when unlimited. */
  cpuQuota?: number;
  cpuPeriod: number;
  /** cgroup v1 cpu.shares, or v2 cpu.weight converted back to shares. */
  cpuShares?: number;
}

export type CgroupReader = (pod: V1Pod, container: string) => Promise<CgroupLimits>;

/** Parse the files of one container's cgroup (v1: memory/, cpu/ hierarchies; v2: one directory). */
export function parseCgroupFiles(files: Record<string, string>): CgroupLimits {
  const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v.trim()));
  if (files['cpu.max'] !== undefined) {
    const [quota, period] = files['cpu.max'].trim().split(/\s+/);
    const weight = num(files['cpu.weight']);
    return {
      memoryLimit: files['memory.max']?.trim() === 'max' ? undefined : num(files['memory.max']),
      cpuQuota: quota === 'max' ? undefined : Number(quota),
      cpuPeriod: Number(period ?? 100000),
      // the kubelet's shares -> weight mapping, inverted (1 + ((shares - 2) * 9999) / 262142)
      cpuShares: weight === undefined ? undefined : Math.round(((weight - 1) * 262142) / 9999 + 2),
    };
  }
  const limit = num(files['memory.limit_in_bytes']);
  const quota = num(files['cpu.cfs_quota_us']);
  return {
    // v1 reports "unlimited" as the largest page-aligned value
    memoryLimit: limit !== undefined && limit < 2 ** 62 ? limit : undefined,
    cpuQuota: quota !== undefined && quota >= 0 ? quota : undefined,
    cpuPeriod: num(files['cpu.cfs_period_us']) ?? 100000,
    cpuShares: num(files['cpu.shares']),
  };
}

const FILES = ['memory.limit_in_bytes', 'cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.shares', 'memory.max', 'cpu.max', 'cpu.weight'];

/** The reader for a kind cluster whose kubeconfig sits in the harness's state directory, else undefined. */
export function kindCgroupReader(kubeconfig: string): CgroupReader | undefined {
  const stateFile = join(dirname(kubeconfig), 'state.json');
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { provider?: string; extra?: { engine?: unknown } };
  const engine = state.extra?.engine;
  if (state.provider !== 'kind' || (engine !== 'podman' && engine !== 'docker')) return undefined;
  return async (pod, container) => {
    const node = pod.spec?.nodeName;
    const id = pod.status?.containerStatuses?.find((c) => c.name === container)?.containerID?.replace(/^[a-z]+:\/\//, '');
    if (!node || !id || !/^[0-9a-f]{64}$/.test(id)) throw new Error(`pod ${pod.metadata?.name} has no running container ${container} on a node`);
    // The container's scope directory in each hierarchy (systemd or cgroupfs driver, v1 or v2).
    const script = `for d in $(find /sys/fs/cgroup -type d \\( -name "cri-containerd-${id}.scope" -o -name "${id}" \\) 2>/dev/null); do for f in ${FILES.join(' ')}; do [ -f "$d/$f" ] && printf '%s=%s\\n' "$f" "$(cat "$d/$f")"; done; done; true`;
    const r = await execa(engine, ['exec', node, 'sh', '-c', script], { reject: false, stdin: 'ignore', timeout: 20_000 });
    const files = Object.fromEntries(
      String(r.stdout)
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    if (r.exitCode !== 0 || Object.keys(files).length === 0) throw new Error(`no cgroup of container ${id.slice(0, 12)} on node ${node}: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`);
    return parseCgroupFiles(files);
  };
}
