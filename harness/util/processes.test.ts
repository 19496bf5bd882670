import { describe, expect, it } from 'vitest';
import { mentionsPath } from './processes.ts';

describe('mentionsPath', () => {
  const dir = '/root/.cache/kruise-conformance/clusters/local/lead-ws';
  it.each([
    ['the directory itself, at the end', `kwokctl --workdir ${dir}`, true],
    ['a file below it', `etcd --data-dir ${dir}/kwok/clusters/lead-ws/etcd`, true],
    ['in a flag value', `kube-apiserver --client-ca-file=${dir}/pki/ca.crt --x`, true],
    ['quoted', `sh -c "cd '${dir}' && run"`, true],
    ['a cluster whose name extends it (lead-ws2)', `etcd --data-dir ${dir}2/kwok/etcd`, false],
    ['a cluster whose name extends it (lead-ws-b)', `kube-apiserver --cert-dir=${dir}-b/pki`, false],
    ['both: the sibling first, then the directory', `x ${dir}2/a ${dir}/b`, true],
    ['nothing like it', 'sleep 100', false],
  ])('%s', (_what, cmdline, want) => {
    expect(mentionsPath(cmdline, dir)).toBe(want);
  });
  it('an empty needle mentions nothing', () => {
    expect(mentionsPath('anything', '')).toBe(false);
  });
});
