import { CoreV1Api, type KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { rawGet } from '../kube/client.ts';
import type { Capability } from './provider.ts';

/** Parse `kubernetes_feature_enabled{name="X",stage="BETA"} 1` lines from apiserver metrics. */
export function parseFeatureGates(metrics: string): Record<string, boolean> {
  const gates: Record<string, boolean> = {};
  const line = /^kubernetes_feature_enabled\{([^}]*)\}\s+([01])\s*$/;
  for (const text of metrics.split('\n')) {
    const m = line.exec(text);
    if (!m) continue;
    const name = /name="([^"]+)"/.exec(m[1]!)?.[1];
    if (name) gates[name] = m[2] === '1';
  }
  return gates;
}

/** Feature gates as the running apiserver reports them: read back, never assumed from flags. */
export async function apiserverFeatureGates(kc: KubeConfig): Promise<Record<string, boolean>> {
  return parseFeatureGates(await rawGet(kc, '/metrics'));
}

export async function serverVersion(kc: KubeConfig): Promise<string> {
  const info = JSON.parse(await rawGet(kc, '/version')) as { gitVersion?: string };
  if (!info.gitVersion) throw new Error('apiserver /version has no gitVersion');
  return info.gitVersion;
}

/** Annotation kwok puts on (and expects of) the nodes it simulates. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export interface ClusterFacts {
  featureGates: Record<string, boolean>;
  zones: string[];
  architectures: string[];
  readyNodes: number;
  simulatedNodes: number;
  expandableStorageClasses: string[];
  /** The apiserver serves pods/resize (Kubernetes 1.32+); before, resources change by a plain pod update. */
  podResizeSubresource: boolean;
}

/** Whether the apiserver serves the pods/resize subresource, from discovery of the core group. */
export async function servesPodResize(kc: KubeConfig): Promise<boolean> {
  const list = JSON.parse(await rawGet(kc, '/api/v1')) as { resources?: { name?: string }[] };
  return (list.resources ?? []).some((r) => r.name === 'pods/resize');
}

export async function clusterFacts(kc: KubeConfig): Promise<ClusterFacts> {
  const core = kc.makeApiClient(CoreV1Api);
  const storage = kc.makeApiClient(StorageV1Api);
  const [nodes, classes, featureGates, podResizeSubresource] = await Promise.all([
    core.listNode(),
    storage.listStorageClass(),
    apiserverFeatureGates(kc),
    servesPodResize(kc),
  ]);
  const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const label = (key: string) => [...new Set(ready.map((n) => n.metadata?.labels?.[key]).filter((v): v is string => !!v))].sort();
  return {
    featureGates,
    zones: label('topology.kubernetes.io/zone'),
    architectures: label('kubernetes.io/arch'),
    readyNodes: ready.length,
    simulatedNodes: ready.filter((n) => n.metadata?.annotations?.[KWOK_NODE_ANNOTATION] !== undefined).length,
    expandableStorageClasses: classes.items.filter((c) => c.allowVolumeExpansion === true).map((c) => c.metadata?.name ?? '').filter(Boolean),
    podResizeSubresource,
  };
}

/**
 * Capabilities follow from facts the API shows. InPlaceResize follows the gate: with it on, 1.30
 * accepts resource changes by a plain pod update and 1.32+ through pods/resize (a gate no longer
 * reported once removed after GA counts as on where pods/resize is served). RealKubelet holds
 * only when no Ready node is simulated; Helm is a property of the machine running the harness,
 * so the caller says.
 */
export function capabilitiesFrom(facts: ClusterFacts, opts: { helm: boolean }): Capability[] {
  const caps: Capability[] = [];
  const resizeGate = facts.featureGates.InPlacePodVerticalScaling;
  if (resizeGate === true || (resizeGate === undefined && facts.podResizeSubresource)) caps.push('InPlaceResize');
  if (facts.expandableStorageClasses.length > 0) caps.push('VolumeExpansion');
  if (facts.zones.length >= 3) caps.push('Zones');
  if (facts.architectures.length >= 2) caps.push('MultiArch');
  if (facts.readyNodes > 0 && facts.simulatedNodes === 0) caps.push('RealKubelet');
  // Ready kwok nodes mean a kwok controller manages annotated nodes: a test can add its own.
  if (facts.simulatedNodes > 0) caps.push('SimulatedNodes');
  if (opts.helm) caps.push('Helm');
  return caps;
}
