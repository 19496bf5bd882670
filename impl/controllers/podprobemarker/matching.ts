// Which pods a PodProbeMarker reaches, and how (OpenKruise podprobemarker getMatchingPods): pods of
// its namespace that its non-empty selector matches, active, Initialized, on a node that exists.
// Pods on a node labelled type=virtual-kubelet are serverless; the others are probed by their
// node's agent. Pure.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { LABEL_NODE_TYPE, NODE_TYPE_VIRTUAL_KUBELET, type PodProbeMarker } from '../../api/podprobemarker.ts';
import { labelSelectorAsPredicate } from '../../api/validation-common.ts';

export interface MatchedPods {
  /** On nodes with an agent: their probes go into the node's NodePodProbe. */
  normal: V1Pod[];
  /** On virtual-kubelet nodes: marked from their own conditions. */
  serverless: V1Pod[];
}

export const isVirtualKubelet = (node: V1Node | undefined): boolean => node?.metadata?.labels?.[LABEL_NODE_TYPE] === NODE_TYPE_VIRTUAL_KUBELET;

/** kube's IsPodActive: not terminating and not finished. */
export const isActivePod = (pod: V1Pod): boolean => !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

export const isInitialized = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false;

/** The marker's selector is valid, not empty, and matches the pod of its namespace (a nil or empty selector matches nothing). */
export function markerSelects(ppm: PodProbeMarker, pod: V1Pod): boolean {
  if ((pod.metadata?.namespace ?? '') !== (ppm.metadata?.namespace ?? '')) return false;
  const sel = labelSelectorAsPredicate(ppm.spec?.selector ?? undefined);
  return sel.ok && !sel.empty && sel.matches(pod.metadata?.labels ?? {});
}

/** Markers among `markers` that select the pod, in the order given. */
export function markersOfPod(pod: V1Pod, markers: readonly PodProbeMarker[]): PodProbeMarker[] {
  return markers.filter((m) => !m.metadata?.deletionTimestamp && markerSelects(m, pod));
}

export function matchedPods(ppm: PodProbeMarker, pods: readonly V1Pod[], node: (name: string) => V1Node | undefined): MatchedPods {
  const out: MatchedPods = { normal: [], serverless: [] };
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || !isActivePod(pod) || !isInitialized(pod) || !markerSelects(ppm, pod)) continue;
    const n = node(nodeName);
    if (!n) continue;
    (isVirtualKubelet(n) ? out.serverless : out.normal).push(pod);
  }
  return out;
}

/** Pods by node name, in the order given. */
export function groupByNode(pods: readonly V1Pod[]): Map<string, V1Pod[]> {
  const out = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName ?? '';
    out.set(n, [...(out.get(n) ?? []), p]);
  }
  return out;
}
