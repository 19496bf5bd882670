/**
 * Feature gates read back from the running cluster: the apiserver's /metrics, and every
 * kubelet's /metrics through the apiserver's node proxy. A gate passed in kind's config that a
 * component does not report as asked is an error naming the component; nothing is assumed from
 * the flags.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { rawGet } from '../../kube/client.ts';
import { apiserverFeatureGates, parseFeatureGates } from '../detect.ts';

export interface ComponentGates {
  /** "kube-apiserver" or "kubelet on <node>". */
  component: string;
  gates: Record<string, boolean>;
}

/** Every requested gate a component reports otherwise (or not at all), as "component: Gate=want (reports x)". */
export function gateMismatches(wanted: Record<string, boolean>, components: readonly ComponentGates[]): string[] {
  const out: string[] = [];
  for (const { component, gates } of components) {
    for (const [gate, want] of Object.entries(wanted)) {
      if (gates[gate] !== want) out.push(`${component}: ${gate}=${want} (reports ${gates[gate] ?? 'unknown'})`);
    }
  }
  return out;
}

export async function kubeletFeatureGates(kc: KubeConfig, node: string): Promise<Record<string, boolean>> {
  return parseFeatureGates(await rawGet(kc, `/api/v1/nodes/${encodeURIComponent(node)}/proxy/metrics`, 20_000));
}

/** The apiserver's gates and each node's kubelet's, read concurrently. */
export async function clusterGates(kc: KubeConfig, nodes: readonly string[]): Promise<ComponentGates[]> {
  return Promise.all([
    apiserverFeatureGates(kc).then((gates) => ({ component: 'kube-apiserver', gates })),
    ...nodes.map((n) => kubeletFeatureGates(kc, n).then((gates) => ({ component: `kubelet on ${n}`, gates }))),
  ]);
}
