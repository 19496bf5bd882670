/**
 * The pod network of a kind cluster whose node image has no kindnetd (the one built here): what
 * kindnetd would do, done once by the harness after `kind create`. Every node gets a CNI config
 * of the plugins the node image carries (ptp for the pod's veth and routes, host-local for
 * addresses out of the node's spec.podCIDR, portmap for hostPorts) and a route to every other
 * node's pod CIDR via that node's address; all nodes sit on one podman bridge, so no overlay is
 * needed. The plan is pure (table-tested); `applyPodNetwork` runs it through the engine.
 */
import type { CommandRunner, EngineName } from './engine.ts';

export interface NodeNetwork {
  /** Node (and container) name. */
  name: string;
  /** The node's InternalIP on the engine's network. */
  address: string;
  /** spec.podCIDR the controller-manager allocated. */
  podCIDR: string;
}

export interface NodeNetworkPlan {
  node: string;
  /** Contents of /etc/cni/net.d/10-kruise-conformance.conflist. */
  conflist: string;
  /** `ip route replace` argument lists, one per peer node. */
  routes: string[][];
}

export const CNI_CONFIG_PATH = '/etc/cni/net.d/10-kruise-conformance.conflist';
export const CNI_NETWORK_NAME = 'kruise-conformance';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIPv4 = (s: string) => IPV4.test(s) && s.split('.').every((o) => Number(o) <= 255);
const isCIDR = (s: string) => {
  const [ip, bits, extra] = s.split('/');
  return extra === undefined && ip !== undefined && isIPv4(ip) && bits !== undefined && /^\d{1,2}$/.test(bits) && Number(bits) <= 32;
};

/**
 * One plan per node. Throws when a node lacks an IPv4 address or pod CIDR, or two nodes share
 * either, since routes would then be wrong for some pods; the message names the node.
 */
export function planPodNetwork(nodes: readonly NodeNetwork[]): NodeNetworkPlan[] {
  const seen = { address: new Map<string, string>(), podCIDR: new Map<string, string>() };
  for (const n of nodes) {
    if (!isIPv4(n.address)) throw new Error(`node ${n.name} has no IPv4 InternalIP (got "${n.address}")`);
    if (!isCIDR(n.podCIDR)) throw new Error(`node ${n.name} has no IPv4 spec.podCIDR (got "${n.podCIDR}")`);
    for (const key of ['address', 'podCIDR'] as const) {
      const other = seen[key].get(n[key]);
      if (other) throw new Error(`nodes ${other} and ${n.name} share the ${key} ${n[key]}`);
      seen[key].set(n[key], n.name);
    }
  }
  return nodes.map((n) => ({
    node: n.name,
    conflist: cniConflist(n.podCIDR),
    routes: nodes.filter((peer) => peer.name !== n.name).map((peer) => [peer.podCIDR, 'via', peer.address]),
  }));
}

/** CNI 0.4.0 (Debian's plugins 1.1 and containerd 1.6 both speak it). */
export function cniConflist(podCIDR: string): string {
  const conf = {
    cniVersion: '0.4.0',
    name: CNI_NETWORK_NAME,
    plugins: [
      {
        type: 'ptp',
        ipMasq: false,
        mtu: 1500,
        ipam: { type: 'host-local', dataDir: '/run/cni-ipam-state', routes: [{ dst: '0.0.0.0/0' }], ranges: [[{ subnet: podCIDR }]] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  return `${JSON.stringify(conf, null, 2)}\n`;
}

/** Write each node's config and routes; the runner's stdin-less calls suffice (the config goes as an argument). */
export async function applyPodNetwork(engine: EngineName, plans: readonly NodeNetworkPlan[], run: CommandRunner): Promise<void> {
  for (const plan of plans) {
    const steps: string[][] = [
      ['sh', '-ec', `mkdir -p /etc/cni/net.d && printf '%s' "$1" > ${CNI_CONFIG_PATH}.tmp && mv ${CNI_CONFIG_PATH}.tmp ${CNI_CONFIG_PATH}`, 'sh', plan.conflist],
      ...plan.routes.map((r) => ['ip', 'route', 'replace', ...r]),
    ];
    for (const step of steps) {
      const r = await run(engine, ['exec', plan.node, ...step], 15_000);
      if (r.exitCode !== 0 || r.failure) {
        const why = r.failure ?? (r.stderr.trim().split('\n').at(-1) || `exit code ${r.exitCode}`);
        throw new Error(`setting up the pod network on node ${plan.node} failed at \`${step.slice(0, 3).join(' ')}\`: ${why}`);
      }
    }
  }
}

/** The engine network kind puts every cluster's nodes on. */
export const KIND_ENGINE_NETWORK = 'kind';

export async function engineNetworkExists(engine: EngineName, run: CommandRunner): Promise<boolean> {
  const r = await run(engine, ['network', 'inspect', KIND_ENGINE_NETWORK], 10_000);
  if (r.failure) throw new Error(`cannot inspect the ${engine} network ${KIND_ENGINE_NETWORK}: ${r.failure}`);
  return r.exitCode === 0;
}

/**
 * Remove kind's engine network once no container uses it, and say what happened; a network that
 * still serves some other cluster's nodes (the user's, or another harness cluster's) stays.
 */
export async function removeEngineNetworkIfUnused(engine: EngineName, run: CommandRunner): Promise<'removed' | 'in use' | 'absent'> {
  if (!(await engineNetworkExists(engine, run))) return 'absent';
  const users = await run(engine, ['ps', '-a', '-q', '--filter', `network=${KIND_ENGINE_NETWORK}`], 10_000);
  if (users.exitCode !== 0 || users.failure) throw new Error(`cannot list the containers on the ${engine} network ${KIND_ENGINE_NETWORK}: ${users.failure ?? users.stderr.trim()}`);
  if (users.stdout.trim()) return 'in use';
  const rm = await run(engine, ['network', 'rm', KIND_ENGINE_NETWORK], 20_000);
  if (rm.exitCode !== 0 || rm.failure) throw new Error(`${engine} network rm ${KIND_ENGINE_NETWORK} failed: ${rm.failure ?? rm.stderr.trim().split('\n').at(-1)}`);
  return 'removed';
}

/** The host's address on kind's engine network: what the nodes reach this machine at. */
export async function engineNetworkGateway(engine: EngineName, run: CommandRunner): Promise<string> {
  const fmt = engine === 'podman' ? '{{range .Subnets}}{{.Gateway}} {{end}}' : '{{range .IPAM.Config}}{{.Gateway}} {{end}}';
  const r = await run(engine, ['network', 'inspect', '--format', fmt, KIND_ENGINE_NETWORK], 10_000);
  const gateway = r.exitCode === 0 ? r.stdout.trim().split(/\s+/).find(isIPv4) : undefined;
  if (!gateway) throw new Error(`cannot find the IPv4 gateway of the ${engine} network ${KIND_ENGINE_NETWORK}: ${r.failure ?? (r.stderr.trim() || `got "${r.stdout.trim()}"`)}`);
  return gateway;
}
