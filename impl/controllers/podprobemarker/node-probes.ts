// What the manager writes into a NodePodProbe's spec (OpenKruise podprobemarker updateNodePodProbes,
// removePodProbeFromNodePodProbe; nodepodprobe syncPodFromNodePodProbe). Each planner returns the
// new spec, or undefined when the spec is already so. Pure.
import type { V1Container, V1Pod, V1Probe } from '@kubernetes/client-node';
import { PROBE_NAME_SEPARATOR, type ContainerProbe, type NodePodProbe, type PodContainerProbe, type PodProbe, type PodProbeMarker } from '../../api/podprobemarker.ts';

export type NodePodProbeSpec = NonNullable<NodePodProbe['spec']>;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export const probeName = (marker: string, probe: string): string => `${marker}${PROBE_NAME_SEPARATOR}${probe}`;

/** The marker and probe names of `<marker>#<probe>`. */
export function splitProbeName(name: string): { marker: string; probe: string } {
  const [marker = '', probe = ''] = name.split(PROBE_NAME_SEPARATOR);
  return { marker, probe };
}

function containerOf(pod: V1Pod, name: string): V1Container | undefined {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
}

/** A named port resolved against the container (as the kubelet does); undefined when it cannot be. */
function resolvePort(port: number | string | undefined, container: V1Container | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (!container) return undefined;
  const named = container.ports?.find((p) => p.name === port);
  if (named) return named.containerPort;
  const n = Number(port);
  return Number.isInteger(n) && String(n) === port ? n : undefined;
}

/** The probe as the node agent runs it in `pod`: named tcpSocket / httpGet ports turned into numbers. */
export function resolveProbe(p: PodContainerProbe, pod: V1Pod): V1Probe | undefined {
  const probe = structuredClone(p.probe);
  for (const handler of [probe.tcpSocket, probe.httpGet]) {
    if (!handler || typeof handler.port === 'number') continue;
    const port = resolvePort(handler.port as string, containerOf(pod, p.containerName));
    if (port === undefined) return undefined;
    handler.port = port as unknown as typeof handler.port;
  }
  return probe;
}

/** The marker's probes for one pod; a probe whose port cannot be resolved is left out. */
export function markerProbesFor(ppm: PodProbeMarker, pod: V1Pod): ContainerProbe[] {
  const name = ppm.metadata?.name ?? '';
  return (ppm.spec?.probes ?? []).flatMap((p) => {
    const probe = resolveProbe(p, pod);
    return probe ? [{ name: probeName(name, p.name), containerName: p.containerName, probe }] : [];
  });
}

const isSamePod = (e: PodProbe, pod: V1Pod): boolean => e.name === pod.metadata?.name && e.namespace === pod.metadata?.namespace && e.uid === pod.metadata?.uid;

/**
 * The spec with the marker's current probes in the entry of each pod (an entry added for a pod
 * that has none, its IP filled in when empty). The marker's earlier probes that it no longer has
 * are dropped; other markers' probes are kept in place.
 */
export function withMarkerProbes(spec: NodePodProbeSpec | undefined, ppm: PodProbeMarker, pods: readonly V1Pod[]): NodePodProbeSpec | undefined {
  const prefix = probeName(ppm.metadata?.name ?? '', '');
  const entries = structuredClone(spec?.podProbes ?? []);
  for (const pod of pods) {
    const wanted = markerProbesFor(ppm, pod);
    const entry = entries.find((e) => isSamePod(e, pod));
    if (!entry) {
      entries.push({ name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', uid: pod.metadata?.uid ?? '', IP: pod.status?.podIP ?? '', probes: wanted });
      continue;
    }
    if (!entry.IP) entry.IP = pod.status?.podIP ?? '';
    const kept = (entry.probes ?? []).filter((p) => !p.name.startsWith(prefix) || wanted.some((w) => w.name === p.name));
    const merged = kept.map((p) => wanted.find((w) => w.name === p.name) ?? p);
    entry.probes = [...merged, ...wanted.filter((w) => !merged.some((p) => p.name === w.name))];
  }
  const next: NodePodProbeSpec = { ...spec, podProbes: entries };
  return same(spec?.podProbes ?? [], entries) ? undefined : next;
}

/**
 * The spec without the marker's probes (`<marker>#…`, in entries of its namespace only: see
 * docs/spec-errata.md §6.2); an entry left without probes is dropped.
 */
export function withoutMarkerProbes(spec: NodePodProbeSpec | undefined, namespace: string, marker: string): NodePodProbeSpec | undefined {
  const prefix = probeName(marker, '');
  const entries = (spec?.podProbes ?? []).flatMap((e) => {
    if (e.namespace !== namespace) return [e];
    const probes = (e.probes ?? []).filter((p) => !p.name.startsWith(prefix));
    return probes.length ? [{ ...e, probes }] : [];
  });
  return same(spec?.podProbes ?? [], entries) ? undefined : { ...spec, podProbes: entries };
}

/** The spec with only the entries whose pod still runs (same uid, active). */
export function withLivePods(spec: NodePodProbeSpec | undefined, live: (entry: PodProbe) => boolean): NodePodProbeSpec | undefined {
  const all = spec?.podProbes ?? [];
  const entries = all.filter(live);
  return entries.length === all.length ? undefined : { ...spec, podProbes: entries };
}
