// PodProbeMarker (namespaced) and NodePodProbe (cluster-scoped, one per node), apps.kruise.io/v1alpha1:
// TypeScript shape of the resources as OpenKruise 1.8 serves them, plus the keys the PodProbeMarker
// protocol reads and writes on pods and nodes (spec §6).
import type { V1LabelSelector, V1ObjectMeta, V1Probe } from '@kubernetes/client-node';

export type ProbeState = 'Succeeded' | 'Failed';
export const PROBE_STATES: readonly ProbeState[] = ['Succeeded', 'Failed'];

/** Labels and annotations put on a pod while its probe is in `state`. */
export interface ProbeMarkerPolicy {
  state: ProbeState | string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A core probe without its (unused) lifecycle extras: exec, tcpSocket, httpGet, grpc and timings. */
export type ContainerProbeSpec = V1Probe;

export interface PodContainerProbe {
  /** Unique within the PodProbeMarker; no '#'. */
  name: string;
  containerName: string;
  probe: ContainerProbeSpec;
  /** Pod condition the result is reported as (node agent) or read from (serverless). */
  podConditionType?: string;
  markerPolicy?: ProbeMarkerPolicy[];
}

export interface PodProbeMarkerSpec {
  selector?: V1LabelSelector | null;
  probes?: PodContainerProbe[];
}

export interface PodProbeMarkerStatus {
  observedGeneration: number;
  matchedPods?: number;
}

export interface PodProbeMarker {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: PodProbeMarkerSpec;
  status?: PodProbeMarkerStatus;
}

/** One probe of a pod as the node agent runs it; name is `<podProbeMarker>#<probe>`. */
export interface ContainerProbe {
  name: string;
  containerName: string;
  probe: ContainerProbeSpec;
}

export interface PodProbe {
  name: string;
  namespace: string;
  uid: string;
  IP?: string;
  probes?: ContainerProbe[];
}

export interface ContainerProbeState {
  name: string;
  state?: ProbeState | '';
  lastProbeTime?: string;
  lastTransitionTime?: string;
  message?: string;
}

export interface PodProbeStatus {
  name: string;
  namespace: string;
  uid: string;
  probeStates?: ContainerProbeState[];
}

export interface NodePodProbe {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: { podProbes?: PodProbe[] };
  status?: { podProbeStatuses?: PodProbeStatus[] };
}

/** On every PodProbeMarker: its probes leave the NodePodProbes before it goes. */
export const FINALIZER_NODE_POD_PROBE_CLEANUP = 'kruise.io/node-pod-probe-cleanup';
/** Serverless protocol: the probes for the platform to run (JSON array of PodContainerProbe without markerPolicy). */
export const ANNOTATION_POD_PROBE = 'kruise.io/podprobe';
/** Serverless protocol: the sorted, comma-separated names of the PodProbeMarkers in ANNOTATION_POD_PROBE. */
export const ANNOTATION_POD_PROBE_MARKER_LIST = 'kruise.io/podprobemarker-list';
/** A node labelled type=virtual-kubelet is serverless: no NodePodProbe, results read from pod conditions. */
export const LABEL_NODE_TYPE = 'type';
export const NODE_TYPE_VIRTUAL_KUBELET = 'virtual-kubelet';
/** Separates the PodProbeMarker name from the probe name in a NodePodProbe. */
export const PROBE_NAME_SEPARATOR = '#';
