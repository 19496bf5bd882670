// The ports of the two PodProbeMarker reconcilers: every read and write they make, so the
// reconcilers hold no client and are tested with fakes.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { NodePodProbe, PodProbeMarker, PodProbeMarkerStatus } from '../../api/podprobemarker.ts';

export type Mutation<T> = (current: T) => T | undefined;

/** Reads from the caches and writes to the API shared by both reconcilers. */
export interface ProbePort {
  getMarker(namespace: string, name: string): PodProbeMarker | undefined;
  listMarkers(namespace?: string): PodProbeMarker[];
  listPods(namespace?: string): V1Pod[];
  getPod(namespace: string, name: string): V1Pod | undefined;
  node(name: string): V1Node | undefined;
  getNodePodProbe(name: string): NodePodProbe | undefined;
  listNodePodProbes(): NodePodProbe[];
  /**
   * Read-modify-write of a NodePodProbe (from the cache, or a live read with `fresh`; re-read on
   * conflict); undefined when unchanged or gone.
   */
  updateNodePodProbe(name: string, mutate: Mutation<NodePodProbe>, opts?: { fresh?: boolean }): Promise<NodePodProbe | undefined>;
  createNodePodProbe(name: string): Promise<void>;
  deleteNodePodProbe(name: string): Promise<void>;
  /** Read-modify-write of a marker's metadata (finalizers). */
  updateMarker(namespace: string, name: string, mutate: Mutation<PodProbeMarker>): Promise<PodProbeMarker | undefined>;
  writeMarkerStatus(namespace: string, name: string, status: PodProbeMarkerStatus): Promise<void>;
  /** Read-modify-write of a pod (labels, annotations). */
  updatePod(namespace: string, name: string, mutate: Mutation<V1Pod>): Promise<V1Pod | undefined>;
  /** Read-modify-write of a pod's status (conditions). */
  updatePodStatus(namespace: string, name: string, mutate: Mutation<V1Pod>): Promise<V1Pod | undefined>;
  /** Gate EnablePodProbeMarkerOnServerless. */
  serverless(): boolean;
}
