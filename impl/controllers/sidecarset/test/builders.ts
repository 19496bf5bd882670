// Builders for the SidecarSet planner tests: defaulted SidecarSets and pods as the webhook and a
// kubelet leave them.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { defaultSidecarSet } from '../../../api/sidecarset-defaults.ts';
import type { SidecarContainer, SidecarSet, SidecarSetSpec } from '../../../api/sidecarset.ts';
import { injectSidecarSets } from '../inject.ts';

export function set(name: string, spec: Partial<SidecarSetSpec> = {}, extra: Partial<SidecarSet> = {}): SidecarSet {
  const s = defaultSidecarSet({
    metadata: { name, generation: 1, ...extra.metadata },
    spec: { selector: { matchLabels: { app: 'web' } }, containers: [{ name: 'sidecar', image: 'sidecar:v1' }], ...spec },
  });
  return { ...s, status: { matchedPods: 0, updatedPods: 0, readyPods: 0, latestRevision: `${name}-rev1`, ...extra.status } };
}

export function podSpec(containers: V1Container[] = [{ name: 'main', image: 'app:v1' }]): V1Pod {
  return { metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' } }, spec: { containers } };
}

/** A pod injected by `sets`, then running with every container ready (imageIDs follow images). */
export function runningPod(name: string, sets: SidecarSet[], opts: { ready?: boolean; created?: string; labels?: Record<string, string> } = {}): V1Pod {
  const base = podSpec();
  base.metadata = { ...base.metadata, name, labels: { app: 'web', ...opts.labels }, creationTimestamp: (opts.created ?? '2026-01-01T00:00:00Z') as never, resourceVersion: '1' };
  const pod = injectSidecarSets(base, sets, '2026-01-01T00:00:00Z') ?? base;
  return withStatus(pod, opts.ready ?? true);
}

export function withStatus(pod: V1Pod, ready: boolean): V1Pod {
  return {
    ...pod,
    spec: { ...pod.spec!, nodeName: 'n1' },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:05Z' as never }],
      containerStatuses: pod.spec!.containers.map((c) => ({ name: c.name, image: c.image!, imageID: `id-${c.image}`, ready, restartCount: 0 })) as never,
    },
  };
}

export const sidecar = (name: string, image: string, extra: Partial<SidecarContainer> = {}): SidecarContainer => ({ name, image, ...extra });
