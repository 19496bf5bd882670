// Builders for the PodProbeMarker planner and reconciler tests.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { PodContainerProbe, PodProbeMarker } from '../../api/podprobemarker.ts';

export function marker(name: string, probes: PodContainerProbe[], app = 'game', namespace = 'ns'): PodProbeMarker {
  return { metadata: { name, namespace, generation: 1 }, spec: { selector: { matchLabels: { app } }, probes } };
}

export const execProbe = (name: string, over: Partial<PodContainerProbe> = {}): PodContainerProbe => ({
  name,
  containerName: 'main',
  probe: { exec: { command: ['/bin/sh', '-c', name] } },
  podConditionType: `game.kruise.io/${name}`,
  ...over,
});

export function pod(name: string, node: string, over: { app?: string; namespace?: string; initialized?: boolean; ip?: string; deleting?: boolean } = {}): V1Pod {
  return {
    metadata: { name, namespace: over.namespace ?? 'ns', uid: `uid-${name}`, labels: { app: over.app ?? 'game' }, ...(over.deleting ? { deletionTimestamp: new Date(0) } : {}) },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: over.ip ?? '10.0.0.1', conditions: [{ type: 'Initialized', status: over.initialized === false ? 'False' : 'True' }] },
  };
}

export function node(name: string, over: { virtual?: boolean; ready?: boolean } = {}): V1Node {
  return {
    metadata: { name, labels: over.virtual ? { type: 'virtual-kubelet' } : {} },
    status: { conditions: [{ type: 'Ready', status: over.ready === false ? 'False' : 'True' }] },
  };
}
