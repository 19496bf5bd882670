import { describe, expect, it } from 'vitest';
import { recordingRunner } from './recording-runner.ts';
import { CNI_CONFIG_PATH, CNI_NETWORK_NAME, type NodeNetwork, applyPodNetwork, cniConflist, planPodNetwork } from './network.ts';

const nodes: NodeNetwork[] = [
  { name: 'c-control-plane', address: '10.89.0.2', podCIDR: '10.244.0.0/24' },
  { name: 'c-worker', address: '10.89.0.3', podCIDR: '10.244.1.0/24' },
  { name: 'c-worker2', address: '10.89.0.4', podCIDR: '10.244.2.0/24' },
];

describe('planPodNetwork', () => {
  it('gives every node its own pod CIDR and a route to each peer\'s via the peer', () => {
    const plans = planPodNetwork(nodes);
    expect(plans.map((p) => p.node)).toEqual(nodes.map((n) => n.name));
    expect(plans[0]!.routes).toEqual([
      ['10.244.1.0/24', 'via', '10.89.0.3'],
      ['10.244.2.0/24', 'via', '10.89.0.4'],
    ]);
    expect(plans[2]!.routes).toEqual([
      ['10.244.0.0/24', 'via', '10.89.0.2'],
      ['10.244.1.0/24', 'via', '10.89.0.3'],
    ]);
    for (const [i, plan] of plans.entries()) {
      const conf = JSON.parse(plan.conflist) as { name: string; plugins: { type: string; ipam?: { ranges: { subnet: string }[][] } }[] };
      expect(conf.name).toBe(CNI_NETWORK_NAME);
      expect(conf.plugins.map((p) => p.type)).toEqual(['ptp', 'portmap']);
      expect(conf.plugins[0]!.ipam!.ranges).toEqual([[{ subnet: nodes[i]!.podCIDR }]]);
    }
  });

  it('a single node needs no routes', () => {
    expect(planPodNetwork([nodes[0]!])[0]!.routes).toEqual([]);
  });

  it.each([
    ['no pod CIDR yet', [{ ...nodes[0]!, podCIDR: '' }], /node c-control-plane has no IPv4 spec.podCIDR \(got ""\)/],
    ['an IPv6-only pod CIDR', [{ ...nodes[0]!, podCIDR: 'fd00:10:244::/64' }], /has no IPv4 spec.podCIDR/],
    ['a malformed pod CIDR', [{ ...nodes[0]!, podCIDR: '10.244.0.0/33' }], /has no IPv4 spec.podCIDR/],
    ['no address', [{ ...nodes[1]!, address: '' }], /node c-worker has no IPv4 InternalIP/],
    ['an out-of-range octet', [{ ...nodes[1]!, address: '10.89.0.300' }], /has no IPv4 InternalIP/],
    ['two nodes with one pod CIDR', [nodes[0]!, { ...nodes[1]!, podCIDR: nodes[0]!.podCIDR }], /nodes c-control-plane and c-worker share the podCIDR 10\.244\.0\.0\/24/],
    ['two nodes with one address', [nodes[0]!, { ...nodes[1]!, address: nodes[0]!.address }], /share the address 10\.89\.0\.2/],
  ])('refuses %s, naming the node', (_what, input, message) => {
    expect(() => planPodNetwork(input)).toThrow(message);
  });

  it('is pure: the same nodes give the same plans, and the input is not changed', () => {
    const before = structuredClone(nodes);
    expect(planPodNetwork(nodes)).toEqual(planPodNetwork(nodes));
    expect(nodes).toEqual(before);
    expect(cniConflist('10.244.7.0/24')).toBe(cniConflist('10.244.7.0/24'));
  });
});

describe('applyPodNetwork', () => {
  const recorder = recordingRunner;

  it('writes the config, then the routes, on each node through the engine', async () => {
    const { run, calls } = recorder();
    await applyPodNetwork('podman', planPodNetwork(nodes.slice(0, 2)), run);
    expect(calls.map((c) => c.slice(0, 4).join(' '))).toEqual([
      'podman exec c-control-plane sh',
      'podman exec c-control-plane ip',
      'podman exec c-worker sh',
      'podman exec c-worker ip',
    ]);
    expect(calls[0]!.join(' ')).toContain(CNI_CONFIG_PATH);
    expect(calls[0]!.at(-1)).toBe(cniConflist('10.244.0.0/24'));
    expect(calls[1]!.slice(3)).toEqual(['ip', 'route', 'replace', '10.244.1.0/24', 'via', '10.89.0.3']);
  });

  it('stops at the first failure, naming the node, the step and the engine\'s last line', async () => {
    const { run, calls } = recorder((args) => (args[2] === 'ip' ? { exitCode: 2, stdout: '', stderr: 'Error: Nexthop has invalid gateway.' } : undefined));
    await expect(applyPodNetwork('podman', planPodNetwork(nodes), run)).rejects.toThrow(
      'setting up the pod network on node c-control-plane failed at `ip route replace`: Error: Nexthop has invalid gateway.',
    );
    expect(calls).toHaveLength(2);
  });

  it('reports an engine that does not answer', async () => {
    const { run } = recorder(() => ({ stdout: '', stderr: '', failure: 'timeout' }));
    await expect(applyPodNetwork('podman', planPodNetwork(nodes), run)).rejects.toThrow(/c-control-plane failed at `sh -ec .*`: timeout/);
  });
});
