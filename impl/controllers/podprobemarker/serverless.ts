// The serverless protocol's pod annotations (OpenKruise pod webhook podProbeMarkerMutatingPod): at
// pod creation, the probes with a podConditionType, of every marker selecting the pod, on a
// container the pod runs (or a restartable init container), first one kept when two share a
// condition type or a container/name; written without markerPolicy to kruise.io/podprobe, with
// the contributing markers' names, sorted, in kruise.io/podprobemarker-list. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_POD_PROBE, ANNOTATION_POD_PROBE_MARKER_LIST, type PodContainerProbe, type PodProbeMarker } from '../../api/podprobemarker.ts';
import { markersOfPod } from './matching.ts';

/** Containers a serverless platform probes: the app containers and the sidecars (restartPolicy Always init containers). */
export function probedContainers(pod: V1Pod): Set<string> {
  const names = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') names.add(c.name);
  return names;
}

export interface ProbeAnnotations {
  probes: Omit<PodContainerProbe, 'markerPolicy'>[];
  markers: string[];
}

/** The probes to annotate, from `markers` in the order given (the caller's order decides which duplicate is kept). */
export function planProbeAnnotations(pod: V1Pod, markers: readonly PodProbeMarker[]): ProbeAnnotations | undefined {
  const containers = probedContainers(pod);
  const keys = new Set<string>();
  const conditions = new Set<string>();
  const names = new Set<string>();
  const probes: ProbeAnnotations['probes'] = [];
  for (const m of markersOfPod(pod, markers)) {
    for (const p of m.spec?.probes ?? []) {
      const key = `${p.containerName}/${p.name}`;
      const cond = p.podConditionType ?? '';
      if (!cond || conditions.has(cond) || keys.has(key) || !containers.has(p.containerName)) continue;
      const { markerPolicy: _dropped, ...rest } = p;
      probes.push(rest);
      keys.add(key);
      conditions.add(cond);
      names.add(m.metadata?.name ?? '');
    }
  }
  return probes.length ? { probes, markers: [...names].sort() } : undefined;
}

/** The pod with the probe annotations; undefined when no probe applies. */
export function podWithProbeAnnotations(pod: V1Pod, markers: readonly PodProbeMarker[]): V1Pod | undefined {
  const plan = planProbeAnnotations(pod, markers);
  if (!plan) return undefined;
  return {
    ...pod,
    metadata: { ...pod.metadata, annotations: { ...pod.metadata?.annotations, [ANNOTATION_POD_PROBE]: JSON.stringify(plan.probes), [ANNOTATION_POD_PROBE_MARKER_LIST]: plan.markers.join(',') } },
  };
}
